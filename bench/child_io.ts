/**
 * How the benchmark's processes talk: each child writes one JSON object per line on stdout
 * (`ready`, `result`, `error`) and reads commands as JSON lines on stdin; a closed stdin
 * means "the orchestrator is gone, exit". The orchestrator side wraps a child process with
 * bounded waits and kills its whole tree by id.
 */
import { killTree } from "./proc_stats.ts";

export interface Message {
  type: string;
  [k: string]: unknown;
}

// ---- child side -------------------------------------------------------------------------

/** Writes one message line on stdout. */
export function emit(msg: Message): void {
  console.log(JSON.stringify(msg));
}

/**
 * Reads stdin commands: resolves each `wait(type)` with the next command of that type.
 * When stdin closes, `onEof` runs (children exit then, so none outlives its orchestrator).
 */
export class CommandReader {
  #queue: Message[] = [];
  #waiters: Array<{ type: string; resolve: (m: Message) => void }> = [];

  constructor(onEof: () => void) {
    void this.#pump().finally(onEof);
  }

  async #pump(): Promise<void> {
    let buf = "";
    const decoder = new TextDecoder();
    for await (const chunk of Deno.stdin.readable) {
      buf += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as Message;
        const i = this.#waiters.findIndex((w) => w.type === msg.type);
        if (i >= 0) this.#waiters.splice(i, 1)[0].resolve(msg);
        else this.#queue.push(msg);
      }
    }
  }

  wait(type: string): Promise<Message> {
    const i = this.#queue.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.#queue.splice(i, 1)[0]);
    return new Promise((resolve) => this.#waiters.push({ type, resolve }));
  }
}

/** Sleeps until the wall-clock time `at` (ms since the epoch), at most `maxMs`. */
export function sleepUntil(at: number, maxMs = 600_000): Promise<void> {
  const ms = Math.min(maxMs, Math.max(0, at - Date.now()));
  return new Promise((r) => setTimeout(r, ms));
}

// ---- orchestrator side ------------------------------------------------------------------

const KEEP_LINES = 200;

/** A child process of the benchmark: JSON messages in, raw lines kept for error reports. */
export class Child {
  /** Every child not yet exited, so an interrupted run can end them all. */
  static readonly live = new Set<Child>();
  readonly name: string;
  readonly pid: number;
  readonly lines: string[] = [];
  readonly status: Promise<Deno.CommandStatus>;
  #proc: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #messages: Message[] = [];
  #waiters = new Set<() => void>();
  #exited = false;
  #pumps: Promise<void>[];

  #log: Deno.FsFile | undefined;

  constructor(
    name: string,
    cmd: string,
    args: string[],
    opts: { cwd?: string; logFile?: string } = {},
  ) {
    this.name = name;
    if (opts.logFile) {
      this.#log = Deno.openSync(opts.logFile, { write: true, create: true, append: true });
    }
    this.#proc = new Deno.Command(cmd, {
      args,
      cwd: opts.cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      // Its own process group, so one signal reaches everything it starts.
      detached: true,
    }).spawn();
    this.pid = this.#proc.pid;
    this.#stdin = this.#proc.stdin.getWriter();
    this.#pumps = [this.#pump(this.#proc.stdout, true), this.#pump(this.#proc.stderr, false)];
    Child.live.add(this);
    this.status = this.#proc.status.then((s) => {
      this.#exited = true;
      Child.live.delete(this);
      this.#wake();
      return s;
    });
  }

  async #pump(stream: ReadableStream<Uint8Array>, json: boolean): Promise<void> {
    const decoder = new TextDecoder();
    let buf = "";
    try {
      for await (const chunk of stream) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          this.#line(buf.slice(0, nl), json);
          buf = buf.slice(nl + 1);
        }
      }
      if (buf) this.#line(buf, json);
    } catch {
      // The process was killed mid-line.
    }
  }

  #line(line: string, json: boolean): void {
    this.#log?.writeSync(new TextEncoder().encode(line + "\n"));
    if (json && line.startsWith("{")) {
      try {
        this.#messages.push(JSON.parse(line) as Message);
        this.#wake();
        return;
      } catch {
        // Not ours: keep it as text.
      }
    }
    this.lines.push(line);
    if (this.lines.length > KEEP_LINES) this.lines.shift();
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Waits for `pred` over the child's state; throws on timeout or exit. */
  async #until<T>(get: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const end = Date.now() + timeoutMs;
    while (true) {
      const v = get();
      if (v !== undefined) return v;
      const err = this.#messages.find((m) => m.type === "error");
      if (err) throw new Error(`${this.name}: ${err.message}${this.#tail()}`);
      if (this.#exited) {
        throw new Error(`${this.name} exited while waiting for ${what}${this.#tail()}`);
      }
      const left = end - Date.now();
      if (left <= 0) {
        throw new Error(`${this.name}: no ${what} after ${timeoutMs} ms${this.#tail()}`);
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.#waiters.add(done);
      });
    }
  }

  #tail(): string {
    const tail = this.lines.slice(-15).join("\n  ");
    return tail ? `\n  ${tail}` : "";
  }

  /** The next message of `type` (removed from the queue). */
  message(type: string, timeoutMs: number): Promise<Message> {
    return this.#until(
      () => {
        const i = this.#messages.findIndex((m) => m.type === type);
        return i >= 0 ? this.#messages.splice(i, 1)[0] : undefined;
      },
      timeoutMs,
      `"${type}" message`,
    );
  }

  /** The first raw output line matching `re`. */
  line(re: RegExp, timeoutMs: number): Promise<string> {
    return this.#until(() => this.lines.find((l) => re.test(l)), timeoutMs, `line ${re}`);
  }

  async send(msg: Message): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(JSON.stringify(msg) + "\n"));
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** Ends the child and everything it started; safe to call twice. */
  async kill(graceMs = 3000): Promise<void> {
    try {
      await this.#stdin.close();
    } catch {
      // Already closed or the child is gone.
    }
    if (!this.#exited) await killTree(this.pid, graceMs);
    await this.status;
    await Promise.all(this.#pumps);
    this.#log?.close();
    this.#log = undefined;
  }

  /** Kills every live child (interrupted runs, error paths). */
  static async killAll(): Promise<void> {
    await Promise.all([...Child.live].map((c) => c.kill()));
  }

  /** Closes stdin (the child's cue to finish) and waits up to `ms` before killing. */
  async finish(ms: number): Promise<void> {
    try {
      await this.#stdin.close();
    } catch {
      // Already closed.
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.status, new Promise((r) => timer = setTimeout(r, ms))]);
    clearTimeout(timer);
    await this.kill();
  }
}
