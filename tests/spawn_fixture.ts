/** A child process (the real hub, usually) whose stdout and stderr are collected as text. */

export interface Spawned {
  child: Deno.ChildProcess;
  /** Everything the child wrote so far, stdout and stderr. */
  output(): string;
  /** Resolves when both streams are drained (after the process ended). */
  drained: Promise<void>;
}

const ROOT = new URL("..", import.meta.url).pathname;

/** Runs `command args…` in `cwd` (the project root) with NO_COLOR, no stdin, piped output. */
export function spawnCollecting(command: string, args: string[], cwd = ROOT): Spawned {
  const child = new Deno.Command(command, {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  return {
    child,
    output: () => text,
    drained: Promise.all([drain(child.stdout), drain(child.stderr)]).then(() => {}),
  };
}

/** main.ts run in `cwd` as `deno task start` runs it; `await using` kills what is left. */
export interface MainProcess extends AsyncDisposable {
  child: Deno.ChildProcess;
  /** Everything it wrote so far, stdout and stderr. */
  readonly output: string;
  /** Its exit status, once its output is drained. */
  finish(): Promise<Deno.CommandStatus>;
}

export function startMain(cwd: string, args: string[]): MainProcess {
  const run = spawnCollecting(Deno.execPath(), ["run", "-A", `${ROOT}main.ts`, ...args], cwd);
  const finish = async () => {
    const status = await run.child.status;
    await run.drained;
    return status;
  };
  return {
    child: run.child,
    get output() {
      return run.output();
    },
    finish,
    async [Symbol.asyncDispose]() {
      try {
        run.child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      await finish();
    },
  };
}
