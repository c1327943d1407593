/**
 * Saves the wall's preferences to the hub a moment after the last change (a drag or a few
 * clicks make one PUT), one request at a time, the newest state winning. A failed save is
 * reported and tried again later; the page keeps its state whatever the hub says, so a
 * viewer never loses a layout to a hub that was briefly away.
 */
import type { WallPrefs } from "../wall_prefs.ts";

/** What one save attempt came to; `retry`: worth trying again (network, 429, 5xx). */
export type SaveResult = { ok: true } | { ok: false; message: string; retry: boolean };

export type SaveStatus =
  | { state: "idle" }
  | { state: "saving" }
  | { state: "saved" }
  | { state: "failed"; message: string };

export interface Timers {
  set(fn: () => void, ms: number): number;
  clear(id: number): void;
}

export interface PrefsSaverOptions {
  /** Sends `prefs`; `keepalive` while the page unloads. Never throws. */
  save(prefs: WallPrefs, keepalive: boolean): Promise<SaveResult>;
  onStatus(status: SaveStatus): void;
  /** Quiet time after a change before saving. */
  delayMs?: number;
  /** Wait before trying a failed save again. */
  retryMs?: number;
  timers?: Timers;
}

const GLOBAL_TIMERS: Timers = {
  set: (fn, ms) => setTimeout(fn, ms) as unknown as number,
  clear: (id) => clearTimeout(id),
};

export class PrefsSaver {
  readonly #o: Required<PrefsSaverOptions>;
  /** The newest preferences not yet known to be on the hub. */
  #pending: WallPrefs | undefined;
  #timer: number | undefined;
  #inFlight = false;
  #closed = false;

  constructor(o: PrefsSaverOptions) {
    this.#o = { delayMs: 500, retryMs: 5000, timers: GLOBAL_TIMERS, ...o };
  }

  /** Whether a change waits to be saved (or is being saved). */
  get dirty(): boolean {
    return this.#pending !== undefined || this.#inFlight;
  }

  change(prefs: WallPrefs): void {
    if (this.#closed) return;
    this.#pending = prefs;
    this.#schedule(this.#o.delayMs);
  }

  /** The page goes away: sends what is pending now, with `keepalive`. */
  flush(): void {
    if (this.#closed || this.#pending === undefined) return;
    this.#clearTimer();
    const prefs = this.#pending;
    this.#pending = undefined;
    void this.#o.save(prefs, true);
  }

  close(): void {
    this.#closed = true;
    this.#clearTimer();
  }

  #schedule(ms: number): void {
    this.#clearTimer();
    this.#timer = this.#o.timers.set(() => {
      this.#timer = undefined;
      void this.#send();
    }, ms);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#o.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  async #send(): Promise<void> {
    // One request at a time: the answer of an older save must not land after a newer one.
    if (this.#inFlight || this.#pending === undefined) return;
    const prefs = this.#pending;
    this.#pending = undefined;
    this.#inFlight = true;
    this.#o.onStatus({ state: "saving" });
    const result = await this.#o.save(prefs, false);
    this.#inFlight = false;
    if (this.#closed) return;
    if (result.ok) {
      if (this.#pending !== undefined) this.#schedule(0);
      else this.#o.onStatus({ state: "saved" });
      return;
    }
    this.#o.onStatus({ state: "failed", message: result.message });
    if (this.#pending !== undefined) this.#schedule(0);
    else if (result.retry) {
      this.#pending = prefs;
      this.#schedule(this.#o.retryMs);
    }
  }
}

/** PUTs `prefs` to the hub's `/api/prefs`, reading the error's message from its JSON body. */
export async function putPrefs(prefs: WallPrefs, keepalive: boolean): Promise<SaveResult> {
  try {
    const res = await fetch("/api/prefs", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(prefs),
      keepalive,
    });
    if (res.ok) {
      await res.body?.cancel();
      return { ok: true };
    }
    const body = await res.json().catch(() => undefined) as
      | { error?: { message?: string } }
      | undefined;
    return {
      ok: false,
      message: body?.error?.message ?? `HTTP ${res.status}`,
      retry: res.status === 429 || res.status >= 500,
    };
  } catch {
    return { ok: false, message: "The hub cannot be reached", retry: true };
  }
}
