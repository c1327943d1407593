/** A child process (the real hub, usually) whose stdout and stderr are collected as text. */

export interface Spawned {
  child: Deno.ChildProcess;
  /** Everything the child wrote so far, stdout and stderr. */
  output(): string;
  /** Resolves when both streams are drained (after the process ended). */
  drained: Promise<void>;
}

const ROOT = new URL("..", import.meta.url).pathname;

/** Runs `command args…` from the project root with NO_COLOR, no stdin and piped output. */
export function spawnCollecting(command: string, args: string[]): Spawned {
  const child = new Deno.Command(command, {
    args,
    cwd: ROOT,
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
