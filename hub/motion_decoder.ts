/**
 * Motion analysis's JPEG decoding, in a process of its own at the lowest CPU priority
 * (hub/motion_decoder_child.ts, started under `nice -n 19`). Decoding 16 cameras at 5 fps
 * costs a third of a core; on the hub's own threads it competed with the relay for the same
 * cores and doubled the relay's p99 on two cores. At nice 19 it gets what the relay, the TLS
 * work and everything else leave: on a busy machine analysis falls behind and skips frames
 * (counted by the analyzer) rather than delay a frame. Not SCHED_IDLE (`chrt --idle`), which
 * was measured worse (bench/README.md, "Motion in the relay"): an idle-class task preempted
 * while it holds the pipe's lock makes the hub's own read or write of that pipe wait until
 * the machine has nothing else to run. The pipe costs one copy of each analyzed JPEG, a small
 * share of the decode.
 *
 * One request at a time is what the analyzer asks (one decode slot), plus rare thumbnails;
 * requests are answered in order. A child that dies (a libvips crash on a hostile JPEG), hangs
 * past `timeoutMs` or garbles its replies is killed if needed and started again after a
 * backoff; the requests it held fail, which the analyzer counts as failed decodes.
 *
 * Thin links' reduced frames (hub/reduced_streams.ts) run in another instance of the same
 * child (`name: "resize-worker"`), so that motion's single decode slot and its lower priority
 * are its own.
 */
import {
  encodeHeader,
  OP_LUMA,
  OP_RESIZE,
  OP_THUMBNAIL,
  REPLY_ERROR,
  REPLY_JPEG,
  REPLY_LUMA,
  REPLY_READY,
  WireReader,
} from "../lib/decode_wire.ts";
import type { LumaImage } from "../lib/motion_model.ts";
import { backoffDelay } from "../lib/backoff.ts";
import { fileURLToPath } from "node:url";
import type { Log } from "./log.ts";

export interface MotionDecoderOptions {
  log: Log;
  /** What its log lines and errors call it; default `motion-decoder`. */
  name?: string;
  /**
   * The child's niceness (`nice -n`), 0-19; default 19. 0 starts it without `nice`; where
   * `nice` is missing the child runs at the hub's priority, with a warning.
   */
  nice?: number;
  /** A request not answered in this time kills the child. Default 30 s. */
  timeoutMs?: number;
  /** Largest reply accepted (a thumbnail or a luma picture). Default 4 MiB. */
  maxReplyBytes?: number;
  /** The child's command line after `deno` (tests start a misbehaving child). */
  childArgs?: string[];
}

interface Pending {
  kind: number;
  resolve(reply: { kind: number; a: number; b: number; payload: Uint8Array }): void;
  reject(err: Error): void;
}

interface Child {
  process: Deno.ChildProcess;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  pending: Map<number, Pending>;
  startedAt: number;
  done: Promise<void>;
}

/** What sharp reads from the environment (the Dockerfile grants the hub the same). */
const SHARP_ENV = [
  "npm_package_config_libvips",
  "npm_config_arch",
  "npm_config_platform",
  "npm_config_libc",
  "SHARP_IGNORE_GLOBAL_LIBVIPS",
  "SHARP_FORCE_GLOBAL_LIBVIPS",
  "MALLOC_ARENA_MAX",
];
const CHILD = new URL("./motion_decoder_child.ts", import.meta.url);
const CONFIG = new URL("../deno.json", import.meta.url);

/**
 * The child's permissions: sharp's native module (FFI; native code is not bound by Deno's
 * permissions, which is why it matters that the child holds nothing worth having: no network,
 * no writes, no reads beyond its own modules), the environment variables sharp reads, and the
 * system facts its libc detection asks for.
 */
export function defaultChildArgs(): string[] {
  return [
    "run",
    "--quiet",
    "--no-prompt",
    "--config",
    fileURLToPath(CONFIG),
    "--allow-ffi",
    `--allow-env=${SHARP_ENV.join(",")}`,
    "--allow-sys=cpus,networkInterfaces,hostname",
    fileURLToPath(CHILD),
  ];
}

export class MotionDecoder {
  #o: Required<Omit<MotionDecoderOptions, "childArgs">> & { childArgs: string[] };
  #child: Child | undefined;
  #nextId = 1;
  #restarts = 0;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: MotionDecoderOptions) {
    const nice = options.nice ?? 19;
    if (!Number.isInteger(nice) || nice < 0 || nice > 19) {
      throw new RangeError(`Invalid decoder niceness: "${nice}": must be 0-19`);
    }
    this.#o = {
      log: options.log,
      name: options.name ?? "motion-decoder",
      nice,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxReplyBytes: options.maxReplyBytes ?? 4 * 1024 * 1024,
      childArgs: options.childArgs ?? defaultChildArgs(),
    };
    this.#child = this.#spawn();
  }

  /** How errors name it: "Motion decoder" as before, else the worker's name. */
  get #label(): string {
    return this.#o.name === "motion-decoder" ? "Motion decoder" : `Worker ${this.#o.name}`;
  }

  /** The child's process id (tests kill it). */
  get pid(): number | undefined {
    return this.#child?.process.pid;
  }

  /** Greyscale `width` pixels wide (hub/motion_decode.ts `decodeLuma`). */
  async luma(jpeg: Uint8Array, width: number): Promise<LumaImage> {
    const r = await this.#request(OP_LUMA, width, jpeg, REPLY_LUMA);
    if (r.payload.byteLength !== r.a * r.b) {
      throw new Error(`Decoder sent ${r.payload.byteLength} bytes for ${r.a}x${r.b} pixels`);
    }
    return { width: r.a, height: r.b, luma: r.payload };
  }

  /** A small JPEG (hub/motion_decode.ts `motionThumbnail`). */
  async thumbnail(jpeg: Uint8Array, width = 320): Promise<Uint8Array> {
    return (await this.#request(OP_THUMBNAIL, width, jpeg, REPLY_JPEG)).payload;
  }

  /**
   * A JPEG `width` pixels wide (never enlarged) at `quality` (1-100), its COM segment kept
   * (hub/motion_decode.ts `reduceJpeg`).
   */
  async resize(jpeg: Uint8Array, width: number, quality: number): Promise<Uint8Array> {
    return (await this.#request(OP_RESIZE, width, jpeg, REPLY_JPEG, quality)).payload;
  }

  /** Stops the child; requests in flight fail. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined) return;
    await child.writer.close().catch(() => {});
    const timer = setTimeout(() => kill(child.process), 2_000);
    await child.done;
    clearTimeout(timer);
  }

  async #request(op: number, width: number, jpeg: Uint8Array, expect: number, b = 0) {
    const child = this.#child;
    if (child === undefined) {
      throw new Error(`${this.#label} is ${this.#closed ? "closed" : "restarting"}`);
    }
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0xffff_fffe ? 1 : this.#nextId + 1;
    const reply = new Promise<{ kind: number; a: number; b: number; payload: Uint8Array }>(
      (resolve, reject) => child.pending.set(id, { kind: op, resolve, reject }),
    );
    const timer = setTimeout(() => {
      this.#o.log(`${this.#o.name}-timeout`, { pid: child.process.pid, ms: this.#o.timeoutMs });
      kill(child.process);
    }, this.#o.timeoutMs);
    try {
      // The header, then the JPEG as it is (no copy of the frame on the hub's side), queued in
      // the same turn so that another request's writes cannot come between them.
      await Promise.all([
        child.writer.write(encodeHeader({ id, kind: op, a: width, b }, jpeg.byteLength)),
        child.writer.write(jpeg),
      ]);
      const r = await reply;
      if (r.kind === REPLY_ERROR) throw new Error(new TextDecoder().decode(r.payload));
      if (r.kind !== expect) throw new Error(`Decoder replied kind ${r.kind} to operation ${op}`);
      return r;
    } catch (err) {
      // A write to a dead child fails before its exit is seen: the exit rejects the rest.
      child.pending.delete(id);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  #spawn(): Child {
    const { childArgs } = this.#o;
    const deno = Deno.execPath();
    const command = (cmd: string, args: string[]) =>
      new Deno.Command(cmd, {
        args,
        env: { NO_COLOR: "1" },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    let process: Deno.ChildProcess;
    if (this.#o.nice > 0) {
      try {
        process = command("nice", ["-n", String(this.#o.nice), deno, ...childArgs]);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
        this.#o.log(`${this.#o.name}-priority`, { error: "nice not found: the hub's priority" });
        this.#o.nice = 0;
        process = command(deno, childArgs);
      }
    } else process = command(deno, childArgs);
    const pending = new Map<number, Pending>();
    const child: Child = {
      process,
      writer: process.stdin.getWriter(),
      pending,
      startedAt: performance.now(),
      done: Promise.resolve(),
    };
    child.done = Promise.all([
      this.#readReplies(child),
      readText(process.stderr),
      process.status,
    ]).then(([garbled, stderr, status]) => this.#exited(child, garbled, stderr, status));
    return child;
  }

  /** Hands replies to their requests; returns why the stream was given up, if it was. */
  async #readReplies(child: Child): Promise<string | undefined> {
    const reader = new WireReader({ maxMessageBytes: this.#o.maxReplyBytes });
    try {
      for await (const chunk of child.process.stdout) {
        for (const m of reader.push(chunk)) {
          if (m.id === 0 && m.kind === REPLY_READY) {
            this.#o.log(this.#o.name, { pid: child.process.pid, nice: this.#o.nice });
            continue;
          }
          const p = child.pending.get(m.id);
          if (p === undefined) throw new Error(`Reply to unknown request "${m.id}"`);
          child.pending.delete(m.id);
          p.resolve(m);
        }
      }
    } catch (err) {
      kill(child.process);
      return err instanceof Error ? err.message : String(err);
    }
    return undefined;
  }

  #exited(child: Child, garbled: string | undefined, stderr: string, status: Deno.CommandStatus) {
    child.writer.releaseLock();
    const why = garbled ?? (status.signal ? `signal ${status.signal}` : `code ${status.code}`);
    for (const p of child.pending.values()) {
      p.reject(new Error(`${this.#label} exited (${why})`));
    }
    child.pending.clear();
    if (this.#closed) return;
    this.#child = undefined;
    // A child that ran for a while earns a fresh backoff.
    if (performance.now() - child.startedAt > 30_000) this.#restarts = 0;
    const delay = backoffDelay(Math.min(this.#restarts++, 6), { baseMs: 500 });
    this.#o.log(`${this.#o.name}-exit`, {
      pid: child.process.pid,
      why,
      stderr: stderr.trim().slice(-500) || undefined,
      restartInMs: Math.round(delay),
    });
    this.#restartTimer = setTimeout(() => {
      if (!this.#closed) this.#child = this.#spawn();
    }, delay);
  }
}

function kill(process: Deno.ChildProcess): void {
  try {
    process.kill("SIGKILL");
  } catch {
    // Already gone.
  }
}

/** The child's stderr, kept to its last 4 KiB (a crash's message). */
async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text = (text + decoder.decode(chunk, { stream: true })).slice(-4096);
  }
  return text;
}
