/**
 * `deno run -A bench/soak.ts [--minutes M] [bench options]`: the soak alone (issue 10),
 * through bench/run.ts as `deno task bench --only soak --soak-minutes M`. See bench/README.md.
 */
import { main } from "./run.ts";

const USAGE = `Usage: deno run -A bench/soak.ts [--minutes M] [options]

Runs the soak alone: a hub under 16 cameras x 15 fps for M minutes (default 10) of camera
reconnects, viewer and MJPEG churn, revocations and policy reloads, sampling its RSS, fds
and timers every 10 s. Exits with 1 when a series climbs after the warm-up or a check fails.
Other options are bench/run.ts's (deno task bench --help), e.g. --hub-arg, --no-save.`;

/** `--minutes M` / `--minutes=M` become run.ts's `--soak-minutes`; the rest pass through. */
export function soakArgs(args: string[]): string[] | null {
  if (args.includes("-h") || args.includes("--help")) return null;
  const out = ["--only", "soak"];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--minutes") out.push("--soak-minutes", args[++i] ?? "");
    else if (a.startsWith("--minutes=")) out.push(`--soak-minutes=${a.slice(10)}`);
    else out.push(a);
  }
  return out;
}

if (import.meta.main) {
  const args = soakArgs(Deno.args);
  if (!args) console.log(USAGE);
  Deno.exit(args ? await main(args) : 0);
}
