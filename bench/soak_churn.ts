/**
 * What the soak does to the hub besides the steady load: viewers and MJPEG readers that come
 * and go, a throwaway certificate revoked with the CLI's own `revoke()` while it watches, and
 * policy reloads that move one viewer's cameras. Each loop runs until its signal aborts and
 * closes what it opened before it returns.
 */
import { issueViewer } from "../cli/cert_dir.ts";
import { revoke } from "../cli/cert_revocation.ts";
import { subscribeCommand, unsubscribeCommand } from "../lib/protocol.ts";
import type { PolicyCheck, RevocationCheck, SoakActivity } from "./soak_report.ts";
import {
  type ClientCred,
  type HubTarget,
  MjpegReader,
  random,
  sleep,
  SoakViewer,
  within,
} from "./soak_clients.ts";

/** A revocation or a policy reload must cut what it hides within this (issue 10, item 3). */
export const CUT_LIMIT_MS = 5000;
/** How long a check waits before it calls a cut missing. */
const CHECK_WAIT_MS = 10_000;
const MAX_ERRORS = 20;

export function noteError(activity: SoakActivity, err: unknown): void {
  if (activity.errors.length < MAX_ERRORS) {
    activity.errors.push(err instanceof Error ? err.message : String(err));
  }
}

export interface ChurnOptions {
  /** workers, each one client at a time */
  workers: number;
  creds: ClientCred[];
  serials: string[];
  /** how long a client stays, a random span between these */
  minS: number;
  maxS: number;
  seed: number;
}

/**
 * Viewers that connect (to one to four cameras, or now and then to all), change their
 * subscription halfway, and leave: by turns with a close frame and by cutting TCP.
 */
export async function churnViewers(
  t: HubTarget,
  o: ChurnOptions,
  activity: SoakActivity,
  signal: AbortSignal,
): Promise<void> {
  const worker = async (w: number) => {
    const rand = random(o.seed + w);
    const pick = () => o.serials[Math.floor(rand() * o.serials.length)];
    await sleep(w * 1000, signal);
    for (let k = 0; !signal.aborted; k++) {
      const cred = o.creds[(w + k * o.workers) % o.creds.length];
      const all = rand() < 0.2;
      const cams = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 4) }, pick))];
      const stayMs = (o.minS + rand() * (o.maxS - o.minS)) * 1000;
      try {
        const v = await SoakViewer.connect(t, cred, all ? "" : `?cameras=${cams.join(",")}`);
        activity.viewerSessions++;
        await sleep(stayMs / 2, signal);
        const other = pick();
        v.send(subscribeCommand([other]));
        if (!all) v.send(unsubscribeCommand([cams[0]]));
        await sleep(stayMs / 2, signal);
        activity.viewerFrames += v.frames;
        await v.close(k % 2 === 0);
      } catch (err) {
        activity.viewerFailures++;
        noteError(activity, err);
      }
      await sleep(500 + rand() * 1500, signal);
    }
  };
  await Promise.all(Array.from({ length: o.workers }, (_, w) => worker(w)));
}

/** MJPEG readers of one camera each, that leave by dropping the connection. */
export async function churnMjpeg(
  t: HubTarget,
  o: ChurnOptions,
  activity: SoakActivity,
  signal: AbortSignal,
): Promise<void> {
  const worker = async (w: number) => {
    const rand = random(o.seed + 100 + w);
    await sleep(500 + w * 1500, signal);
    for (let k = 0; !signal.aborted; k++) {
      const cred = o.creds[(w + k * o.workers) % o.creds.length];
      const serial = o.serials[Math.floor(rand() * o.serials.length)];
      try {
        const m = await MjpegReader.open(t, cred, serial);
        activity.mjpegSessions++;
        await sleep((o.minS + rand() * (o.maxS - o.minS)) * 1000, signal);
        activity.mjpegBytes += m.bytes;
        await m.close();
      } catch (err) {
        activity.mjpegFailures++;
        noteError(activity, err);
      }
      await sleep(500 + rand() * 1500, signal);
    }
  };
  await Promise.all(Array.from({ length: o.workers }, (_, w) => worker(w)));
}

const elapsed = (t0: number) => Math.round(performance.now() - t0);

/**
 * Issues a viewer certificate into `certsDir` (as `certs viewer` does), watches `serial`
 * with it over a WebSocket and MJPEG, revokes it with `certs revoke`'s function, and
 * measures how soon the hub cuts both; then checks a new upgrade is refused.
 */
export async function checkRevocation(
  t: HubTarget,
  certsDir: string,
  cn: string,
  serial: string,
  atS: number,
): Promise<RevocationCheck> {
  const out: RevocationCheck = {
    cn,
    atS,
    wsCutMs: null,
    wsCode: null,
    mjpegCutMs: null,
    refusedAfter: false,
    ok: false,
  };
  let viewer: SoakViewer | undefined;
  let stream: MjpegReader | undefined;
  try {
    const { cert } = await issueViewer(certsDir, cn);
    viewer = await SoakViewer.connect(t, cert, `?cameras=${serial}`);
    stream = await MjpegReader.open(t, cert, serial);
    await viewer.firstFrame(CHECK_WAIT_MS);
    await stream.firstBytes(CHECK_WAIT_MS);
    const t0 = performance.now();
    await revoke(certsDir, cn);
    const [code, ended] = await Promise.all([
      within(viewer.closed.then((c) => [c, elapsed(t0)] as const), CHECK_WAIT_MS),
      within(stream.ended.then(() => elapsed(t0)), CHECK_WAIT_MS),
    ]);
    if (code) [out.wsCode, out.wsCutMs] = code;
    out.mjpegCutMs = ended;
    try {
      await (await SoakViewer.connect(t, cert)).close(false);
    } catch {
      out.refusedAfter = true;
    }
    out.ok = out.wsCutMs !== null && out.wsCutMs <= CUT_LIMIT_MS && out.mjpegCutMs !== null &&
      out.mjpegCutMs <= CUT_LIMIT_MS && out.refusedAfter;
  } catch (err) {
    out.error = err instanceof Error ? err.message : String(err);
  } finally {
    await viewer?.close(false);
    await stream?.close();
  }
  return out;
}

/** The policy file's text: `toggled` sees half the cameras, everyone else all of them. */
export function policyText(
  halves: [string[], string[]],
  toggled: string,
  half: 0 | 1,
  scraper: string,
): string {
  return JSON.stringify(
    {
      groups: { first: halves[0], second: halves[1] },
      viewers: { [toggled]: [half === 0 ? "@first" : "@second"], "*": "*" },
      metrics: [scraper],
    },
    null,
    2,
  ) + "\n";
}

/**
 * One viewer whose cameras move between the two halves at each reload. It stays connected
 * through the soak: a frame of a camera it lost, sent by the camera after the hub's
 * `subscribed` ack for the reload, is a leak. (Frames queued before the ack may still
 * follow it: the ack is a text message and skips the frame queue.)
 */
export class PolicyToggle {
  half: 0 | 1 = 0;
  leaked = 0;
  #viewer: SoakViewer | undefined;
  #hidden = new Set<string>();
  #hiddenSince = 0;
  #ack: ((cameras: string[]) => void) | undefined;

  constructor(
    readonly t: HubTarget,
    readonly path: string,
    readonly halves: [string[], string[]],
    readonly cred: ClientCred,
    readonly scraper: string,
  ) {}

  async write(): Promise<void> {
    // A sibling then a rename, as an editor would, so the hub never reads half a file.
    const tmp = `${this.path}.tmp`;
    await Deno.writeTextFile(tmp, policyText(this.halves, this.cred.cn, this.half, this.scraper));
    await Deno.rename(tmp, this.path);
  }

  #hide(cameras: string[]): void {
    this.#hidden = new Set(cameras);
    this.#hiddenSince = Date.now();
  }

  /** Connects the viewer (the policy file must be in force). */
  async start(): Promise<void> {
    const v = this.#viewer = await SoakViewer.connect(this.t, this.cred);
    this.#hide(this.halves[1 - this.half]);
    v.onFrame = (serial, stampMs) => {
      if (this.#hidden.has(serial) && stampMs !== null && stampMs > this.#hiddenSince) {
        this.leaked++;
      }
    };
    v.onText = (msg) => {
      if (msg.type === "subscribed") this.#ack?.(msg.cameras as string[]);
    };
    void v.closed.then(() => {
      if (this.#viewer === v) this.#viewer = undefined;
    });
  }

  /** Moves the viewer to the other half; checks the ack and an MJPEG stream it loses. */
  async reload(k: number, atS: number): Promise<PolicyCheck> {
    const out: PolicyCheck = { atS, ackMs: null, mjpegCutMs: null, ok: false };
    let stream: MjpegReader | undefined;
    try {
      if (!this.#viewer) {
        out.error = `Policy viewer ${this.cred.cn} was disconnected`;
        await this.start();
      }
      const losing = this.halves[this.half];
      const gaining = new Set(this.halves[1 - this.half]);
      stream = await MjpegReader.open(this.t, this.cred, losing[k % losing.length]);
      await stream.firstBytes(CUT_LIMIT_MS);
      // Until the ack, frames of either half are fair.
      this.#hidden = new Set();
      const acked = new Promise<void>((resolve) => {
        this.#ack = (cameras) => {
          if (!cameras.every((c) => gaining.has(c))) return;
          this.#hide(losing);
          resolve();
        };
      });
      this.half = this.half === 0 ? 1 : 0;
      const t0 = performance.now();
      await this.write();
      const [ack, cut] = await Promise.all([
        within(acked.then(() => elapsed(t0)), CHECK_WAIT_MS),
        within(stream.ended.then(() => elapsed(t0)), CHECK_WAIT_MS),
      ]);
      this.#ack = undefined;
      if (ack === null) this.#hide(losing);
      out.ackMs = ack;
      out.mjpegCutMs = cut;
      out.ok = !out.error && ack !== null && ack <= CUT_LIMIT_MS && cut !== null &&
        cut <= CUT_LIMIT_MS;
    } catch (err) {
      out.error = err instanceof Error ? err.message : String(err);
    } finally {
      await stream?.close();
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#viewer?.close(true);
  }
}
