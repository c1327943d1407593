/**
 * The README's curl, ffmpeg and VLC lines, run as printed (only the port changes) from a
 * directory laid out as `deno task start` leaves it: certs/root-ca.crt and the demo viewer's
 * PEM files, with the first demo camera streaming.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { issueViewer } from "../cli/cert_dir.ts";
import { startTestHub, type TestHub } from "./hub_fixture.ts";
import { realJpegs } from "./archive_fixture.ts";
import { ffprobe } from "./ffmpeg_fixture.ts";

const CAM = "0123CAFE0000000001";

/** The shell commands of the README's "curl, ffmpeg and VLC" block, continuation lines joined. */
function readmeCommands(): string[] {
  const readme = Deno.readTextFileSync(new URL("../README.md", import.meta.url));
  const at = readme.indexOf("**curl, ffmpeg and VLC.**");
  assert.ok(at >= 0, "the README has the block");
  const block = readme.slice(at).split("```sh\n")[1].split("```")[0];
  return block.replace(/\\\n\s*/g, "").replace(/\|\n\s*/g, "| ").split("\n")
    .filter((line) => line.trim() && !line.startsWith("#"));
}

async function sh(cwd: string, command: string): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command("sh", {
    args: ["-c", command],
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** The demo's camera 01 sending real frames at 10 fps until stop(). */
async function streaming(t: TestHub) {
  const dev = await t.device(CAM);
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      await new Promise<void>((resolve, reject) =>
        dev.ws.send(realJpegs()[i % realJpegs().length], (e) => e ? reject(e) : resolve())
      );
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await dev.close();
    },
  };
}

Deno.test("README's curl, ffmpeg and VLC examples work verbatim against the demo's layout", async () => {
  await using t = await startTestHub();
  await issueViewer(t.pki.dir, "demo-viewer");
  const cwd = await Deno.makeTempDir({ prefix: "trustcam_readme_" });
  await Deno.symlink(t.pki.dir, join(cwd, "certs"));
  const cam = await streaming(t);
  try {
    const commands = readmeCommands();
    assert.equal(commands.length, 3);
    const [snapshot, ffmpeg, vlc] = commands.map((c) =>
      c.replaceAll("localhost:5000", `localhost:${t.port}`)
    );

    let r = await sh(cwd, snapshot);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await ffprobe(join(cwd, "snapshot.jpg"))).codec, "mjpeg");

    r = await sh(cwd, ffmpeg);
    assert.equal(r.code, 0, r.stderr);
    const live = await ffprobe(join(cwd, "live.mkv"));
    assert.equal(live.codec, "mjpeg");
    assert.ok(Math.abs(live.duration - 5) <= 0.5, `live.mkv lasts ${live.duration} s`);

    // VLC is not installed here: its half of the pipe becomes a file of the first 200 kB,
    // which is what VLC's MJPEG demuxer would read.
    const [curl, player] = vlc.split(" | ");
    assert.equal(player, "vlc --demux=mjpeg -");
    r = await sh(cwd, `${curl} | head -c 200000 > stream.mjpeg`);
    assert.equal(r.stderr, "");
    const probe = await ffprobe(join(cwd, "stream.mjpeg"), undefined, "mpjpeg");
    assert.ok(probe.frames >= 2, `${probe.frames} frames piped`);
  } finally {
    await cam.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
