import assert from "node:assert/strict";
import { DEFAULT_WALL_PREFS, type WallPrefs } from "../wall_prefs.ts";
import { PrefsSaver, type SaveResult, type SaveStatus, type Timers } from "./prefs_saver.ts";

/** Timers run by hand: `run()` fires every due one, in order. */
function manualTimers() {
  let now = 0;
  let next = 1;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    set(fn, ms) {
      due.set(next, { at: now + ms, fn });
      return next++;
    },
    clear: (id) => void due.delete(id),
  };
  return {
    timers,
    async advance(ms: number) {
      now += ms;
      for (;;) {
        const ready = [...due].filter(([, t]) => t.at <= now).sort((a, b) => a[1].at - b[1].at);
        if (ready.length === 0) break;
        const [id, t] = ready[0];
        due.delete(id);
        t.fn();
        // Let the save's promise settle.
        await Promise.resolve();
        await Promise.resolve();
      }
    },
  };
}

function prefs(columns: WallPrefs["columns"]): WallPrefs {
  return { ...DEFAULT_WALL_PREFS, order: [], favourites: [], columns };
}

function harness(results: SaveResult[] = []) {
  const clock = manualTimers();
  const sent: { columns: WallPrefs["columns"]; keepalive: boolean }[] = [];
  const statuses: SaveStatus[] = [];
  const saver = new PrefsSaver({
    timers: clock.timers,
    delayMs: 500,
    retryMs: 5000,
    save(p, keepalive) {
      sent.push({ columns: p.columns, keepalive });
      return Promise.resolve(results.shift() ?? { ok: true });
    },
    onStatus: (s) => statuses.push(s),
  });
  return { clock, sent, statuses, saver };
}

Deno.test("PrefsSaver.change() saves once, the newest state, after the quiet time", async () => {
  const { clock, sent, statuses, saver } = harness();
  saver.change(prefs(2));
  await clock.advance(300);
  saver.change(prefs(3));
  await clock.advance(300);
  assert.deepEqual(sent, []);
  assert.ok(saver.dirty);
  await clock.advance(200);
  assert.deepEqual(sent, [{ columns: 3, keepalive: false }]);
  assert.deepEqual(statuses, [{ state: "saving" }, { state: "saved" }]);
  assert.ok(!saver.dirty);
  saver.close();
});

Deno.test("PrefsSaver retries a save the hub could not take, and not a refused one", async () => {
  const { clock, sent, statuses, saver } = harness([
    { ok: false, message: "The hub cannot be reached", retry: true },
    { ok: true },
    { ok: false, message: "Invalid columns", retry: false },
  ]);
  saver.change(prefs(4));
  await clock.advance(500);
  assert.deepEqual(statuses.at(-1), { state: "failed", message: "The hub cannot be reached" });
  assert.ok(saver.dirty, "the failed state is kept to be saved again");
  await clock.advance(5000);
  assert.deepEqual(sent.map((s) => s.columns), [4, 4]);
  assert.deepEqual(statuses.at(-1), { state: "saved" });
  saver.change(prefs(5));
  await clock.advance(500);
  await clock.advance(60_000);
  assert.deepEqual(sent.map((s) => s.columns), [4, 4, 5]);
  assert.deepEqual(statuses.at(-1), { state: "failed", message: "Invalid columns" });
  saver.close();
});

Deno.test("PrefsSaver.flush() sends what is pending with keepalive, and nothing twice", async () => {
  const { clock, sent, saver } = harness();
  saver.change(prefs(6));
  saver.flush();
  saver.flush();
  await clock.advance(1000);
  assert.deepEqual(sent, [{ columns: 6, keepalive: true }]);
  saver.close();
  saver.change(prefs(1));
  await clock.advance(1000);
  assert.equal(sent.length, 1, "a closed saver sends nothing");
});
