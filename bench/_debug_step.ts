import { renderFrames } from "../lib/sim_frames.ts";
import { benchSerial, createBenchPki } from "./bench_pki.ts";
import { runLoadStep } from "./load_step.ts";
const tmp = await Deno.makeTempDir({ prefix: "trustcam_bench_dbg_" });
const pki = await createBenchPki(tmp, { devices: 16, viewers: 64 });
await Deno.mkdir(`${tmp}/frames`);
for (const [i, fr] of renderFrames({ serial: benchSerial(0), size: "vga", count: 6 }).entries()) {
  await Deno.writeFile(`${tmp}/frames/f${i}.jpg`, fr);
}
const env = {
  root: Deno.cwd(),
  tmp,
  certsDir: pki.certsDir,
  credsPath: pki.credsPath,
  framesDir: `${tmp}/frames`,
};
const [hub, v, s] = Deno.args;
const r = await runLoadStep(env, {
  hub: hub as "trustcam",
  cameras: 16,
  fps: 15,
  viewers: Number(v),
  seconds: Number(s),
});
const h = r.histogram!;
delete r.histogram;
console.log(JSON.stringify(r));
console.log("top bins", h.bins.slice(-15).map(([a, b]) => `${a}:${b}`).join(" "));
await Deno.remove(tmp, { recursive: true });
