import assert from "node:assert/strict";
import { TrustcamError } from "./errors.ts";
import type { DeviceStatus } from "./device_status.ts";
import { type CameraStore, Registry, type StoredCamera } from "./registry.ts";
import { DEFAULT_MOTION_SETTINGS } from "./motion_settings.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123000000000000B0";
const C = "0123FFFFFFFFFFFFC0";
const T0 = Date.parse("2026-11-23T10:00:00.000Z");

/** A clock the test moves by hand. */
function clock(start = T0) {
  const c = { t: start, now: () => c.t, advance: (ms: number) => (c.t += ms) };
  return c;
}

/** A store in memory that records every save. */
class MemoryStore implements CameraStore {
  rows = new Map<string, StoredCamera>();
  saves: StoredCamera[][] = [];
  closed = false;
  failNext = false;
  constructor(initial: StoredCamera[] = []) {
    for (const r of initial) this.rows.set(r.serial, structuredClone(r));
  }
  load(): StoredCamera[] {
    return [...this.rows.values()].map((r) => structuredClone(r));
  }
  save(cameras: StoredCamera[]): void {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("disk full");
    }
    this.saves.push(structuredClone(cameras));
    for (const c of cameras) this.rows.set(c.serial, structuredClone(c));
  }
  delete(serials: string[]): void {
    for (const s of serials) this.rows.delete(s);
  }
  close(): void {
    this.closed = true;
  }
}

function code(err: unknown, expected: string, message: string) {
  assert.ok(err instanceof TrustcamError, `expected a TrustcamError, got ${err}`);
  assert.equal(err.code, expected);
  assert.equal(err.message, message);
  return true;
}

Deno.test("Registry.connected() creates a camera named after its serial, online", () => {
  const clk = clock();
  const r = new Registry({ now: clk.now });
  const info = r.connected(A);
  assert.deepEqual(info, {
    serial: A,
    name: A,
    state: "online",
    firstSeen: "2026-11-23T10:00:00.000Z",
    lastSeen: "2026-11-23T10:00:00.000Z",
    lastFrameAt: null,
    fps: 0,
    kbps: 0,
    frames: 0,
    bad: 0,
    skipped: 0,
    status: null,
    recording: { mode: "off", source: "default", recording: false, dropped: 0 },
    motion: { enabled: false, active: false },
    hidden: false,
  });
  assert.equal(r.size, 1);
  assert.equal(r.has(A), true);
});

Deno.test("Registry.connected() canonicalises a lower-case serial", () => {
  const r = new Registry({ now: clock().now });
  assert.equal(r.connected(A.toLowerCase()).serial, A);
  assert.equal(r.has(A.toLowerCase()), true);
  assert.equal(r.get(A.toLowerCase())?.serial, A);
  assert.equal(r.size, 1);
});

Deno.test("Registry.connected() on a known camera keeps firstSeen and counters", () => {
  const clk = clock();
  const r = new Registry({ now: clk.now });
  r.connected(A);
  r.frame(A, 1000);
  r.disconnected(A);
  clk.advance(60_000);
  const info = r.connected(A);
  assert.equal(info.state, "online");
  assert.equal(info.firstSeen, "2026-11-23T10:00:00.000Z");
  assert.equal(info.lastSeen, "2026-11-23T10:01:00.000Z");
  assert.equal(info.frames, 1);
});

Deno.test("Registry.disconnected() marks a camera offline and ignores unknown serials", () => {
  const clk = clock();
  const r = new Registry({ now: clk.now });
  r.connected(A);
  clk.advance(1500);
  const info = r.disconnected(A);
  assert.equal(info?.state, "offline");
  assert.equal(info?.lastSeen, "2026-11-23T10:00:01.500Z");
  assert.equal(r.disconnected(B), undefined);
  assert.equal(r.size, 1);
});

Deno.test("Registry.frame() counts frames and updates lastFrameAt and lastSeen", () => {
  const clk = clock();
  const r = new Registry({ now: clk.now });
  r.connected(A);
  clk.advance(100);
  assert.equal(r.frame(A, 5000), false);
  clk.advance(100);
  assert.equal(r.frame(A, 5000), false);
  const info = r.get(A)!;
  assert.equal(info.frames, 2);
  assert.equal(info.lastFrameAt, "2026-11-23T10:00:00.200Z");
  assert.equal(info.lastSeen, "2026-11-23T10:00:00.200Z");
});

Deno.test("Registry.frame() throws TC_ERR_NOT_FOUND for a camera never connected", () => {
  const r = new Registry({ now: clock().now });
  assert.throws(() => r.frame(A, 1), (e) => code(e, "TC_ERR_NOT_FOUND", `Unknown camera: "${A}"`));
  assert.throws(() => r.bad(A), TrustcamError);
  assert.throws(() => r.skipped(A), TrustcamError);
});

Deno.test("Registry reports fps and kbps rounded to one decimal", () => {
  const clk = clock();
  const r = new Registry({ now: clk.now });
  r.connected(A);
  // 15 fps of 60 kB for 10 s.
  for (let i = 0; i < 150; i++) {
    r.frame(A, 60_000);
    clk.advance(1000 / 15);
  }
  const info = r.get(A)!;
  assert.ok(Math.abs(info.fps - 15) <= 0.8, `fps ${info.fps}`);
  assert.ok(Math.abs(info.kbps - 7200) <= 400, `kbps ${info.kbps}`);
  assert.equal(info.fps, Math.round(info.fps * 10) / 10);
  assert.equal(info.kbps, Math.round(info.kbps * 10) / 10);
  const [stats] = r.stats();
  assert.deepEqual(stats, {
    serial: A,
    fps: info.fps,
    kbps: info.kbps,
    frames: 150,
    bad: 0,
    skipped: 0,
  });
});

Deno.test("Registry reads fps ~15 for a camera connected 1 s ago at 15 fps", () => {
  const clk = clock();
  const r = new Registry({ now: clk.now });
  r.connected(A);
  for (let i = 0; i < 15; i++) {
    r.frame(A, 1000);
    clk.advance(1000 / 15);
  }
  assert.equal(r.get(A)!.fps, 15);
});

Deno.test("Registry reports 0 fps for an offline camera", () => {
  const clk = clock();
  const r = new Registry({ now: clk.now });
  r.connected(A);
  for (let i = 0; i < 10; i++) {
    r.frame(A, 1000);
    clk.advance(100);
  }
  assert.ok(r.get(A)!.fps > 0);
  const info = r.disconnected(A)!;
  assert.equal(info.fps, 0);
  assert.equal(info.kbps, 0);
});

Deno.test("Registry.tick() marks a camera stalled after stallMs", () => {
  const clk = clock();
  const r = new Registry({ now: clk.now, stallMs: 5000 });
  r.connected(A);
  r.connected(B);
  r.frame(A, 100);
  clk.advance(4999);
  r.frame(B, 100);
  assert.deepEqual(r.tick(), []);
  clk.advance(1);
  assert.deepEqual(r.tick(), [A]);
  assert.equal(r.get(A)!.state, "stalled");
  assert.equal(r.get(B)!.state, "online");
  assert.deepEqual(r.tick(), [], "a stalled camera is reported once");
});

Deno.test("Registry.tick() counts a camera without frames from its connection", () => {
  const clk = clock();
  const r = new Registry({ now: clk.now, stallMs: 2000 });
  r.connected(A);
  r.frame(A, 1);
  r.disconnected(A);
  clk.advance(3_600_000);
  r.connected(A);
  assert.deepEqual(r.tick(), [], "an old lastFrameAt does not stall a fresh connection");
  clk.advance(2000);
  assert.deepEqual(r.tick(), [A]);
});

Deno.test("Registry.tick() leaves offline cameras alone", () => {
  const clk = clock();
  const r = new Registry({ now: clk.now, stallMs: 1000 });
  r.connected(A);
  r.disconnected(A);
  clk.advance(10_000);
  assert.deepEqual(r.tick(), []);
  assert.equal(r.get(A)!.state, "offline");
});

Deno.test("Registry.frame() returns true once when a stalled camera comes back", () => {
  const clk = clock();
  const r = new Registry({ now: clk.now, stallMs: 1000 });
  r.connected(A);
  clk.advance(1000);
  assert.deepEqual(r.tick(), [A]);
  assert.equal(r.frame(A, 10), true);
  assert.equal(r.get(A)!.state, "online");
  assert.equal(r.frame(A, 10), false);
});

Deno.test("Registry.frame() counts a frame for an offline camera without bringing it online", () => {
  const r = new Registry({ now: clock().now });
  r.connected(A);
  r.disconnected(A);
  assert.equal(r.frame(A, 10), false);
  assert.equal(r.get(A)!.state, "offline");
  assert.equal(r.get(A)!.frames, 1);
});

Deno.test("Registry.bad() and skipped() count", () => {
  const r = new Registry({ now: clock().now });
  r.connected(A);
  r.bad(A);
  r.bad(A);
  r.skipped(A);
  r.skipped(A, 5);
  const info = r.get(A)!;
  assert.equal(info.bad, 2);
  assert.equal(info.skipped, 6);
});

Deno.test("Registry.status() replaces the last status and returns the camera", () => {
  const clk = clock();
  const r = new Registry({ now: clk.now });
  r.connected(A);
  const s1: DeviceStatus = { fw: "fw/1", uptime_s: 1, at: "2026-11-23T10:00:00.000Z" };
  r.status(A, s1);
  clk.advance(10_000);
  const s2: DeviceStatus = { uptime_s: 11, at: "2026-11-23T10:00:10.000Z" };
  const info = r.status(A, s2);
  assert.deepEqual(info.status, s2);
  assert.equal(info.lastSeen, "2026-11-23T10:00:10.000Z");
  s2.uptime_s = 999;
  assert.equal(r.get(A)!.status?.uptime_s, 11, "the registry keeps its own copy");
});

Deno.test("Registry.rename() trims the name and lists by it", () => {
  const r = new Registry({ now: clock().now });
  r.connected(A);
  r.connected(B);
  r.connected(C);
  assert.equal(r.rename(A, "  Front door  ").name, "Front door");
  r.rename(B, "back yard");
  assert.deepEqual(r.list().map((c) => c.name), [C, "back yard", "Front door"]);
});

Deno.test("Registry.list() sorts names case-insensitively with numbers in order, then serial", () => {
  const r = new Registry({ now: clock().now });
  for (const s of [A, B, C]) r.connected(s);
  r.rename(A, "Cam 10");
  r.rename(B, "cam 2");
  r.rename(C, "Cam 2");
  assert.deepEqual(r.list().map((c) => c.serial), [B, C, A]);
  assert.deepEqual(r.stats().map((c) => c.serial), [B, C, A]);
});

Deno.test("Registry.rename() accepts 64 characters and rejects 65", () => {
  const r = new Registry({ now: clock().now });
  r.connected(A);
  assert.equal(r.rename(A, "🎥".repeat(64)).name, "🎥".repeat(64));
  assert.throws(
    () => r.rename(A, "n".repeat(65)),
    (e) =>
      code(
        e,
        "TC_ERR_BAD_NAME",
        `Invalid camera name: "${"n".repeat(39)}…" is 65 characters > 64`,
      ),
  );
});

Deno.test("Registry.rename() rejects an empty name and control characters", () => {
  const r = new Registry({ now: clock().now });
  r.connected(A);
  assert.throws(
    () => r.rename(A, "   "),
    (e) => code(e, "TC_ERR_BAD_NAME", 'Invalid camera name: "   " is empty'),
  );
  assert.throws(
    () => r.rename(A, "a\nb"),
    (e) => code(e, "TC_ERR_BAD_NAME", 'Invalid camera name: "a\\nb" has control characters'),
  );
  assert.throws(() => r.rename(A, "a\u0085b"), TrustcamError);
  assert.throws(() => r.rename(A, "a\u2028b"), TrustcamError);
  assert.throws(() => r.rename(A, 42 as unknown as string), TrustcamError);
  assert.equal(r.get(A)!.name, A, "a refused rename changes nothing");
});

Deno.test("Registry.rename() stores the NFC form and refuses invisible characters", () => {
  const r = new Registry({ now: clock().now });
  r.connected(A);
  assert.equal(r.rename(A, "e\u0301").name, "\u00e9");
  for (const bad of ["a\u202Eb", "a\u200Bb", "\uD800", "a\u0007b"]) {
    assert.throws(
      () => r.rename(A, bad),
      (e) => e instanceof TrustcamError && e.code === "TC_ERR_BAD_NAME",
    );
  }
  assert.equal(r.get(A)!.name, "\u00e9", "a refused rename changes nothing");
});

Deno.test("Registry.rename() throws TC_ERR_NOT_FOUND for an unknown camera", () => {
  const r = new Registry({ now: clock().now });
  assert.throws(
    () => r.rename(A, "x"),
    (e) => code(e, "TC_ERR_NOT_FOUND", `Unknown camera: "${A}"`),
  );
});

Deno.test("Registry loads stored cameras offline with their persisted fields", () => {
  const status: DeviceStatus = { fw: "fw/1", at: "2026-11-22T09:00:00.000Z" };
  const store = new MemoryStore([{
    serial: A,
    name: "Front door",
    firstSeen: T0 - 86_400_000,
    lastSeen: T0 - 3_600_000,
    lastFrameAt: T0 - 3_600_500,
    frames: 1234,
    bad: 5,
    skipped: 6,
    status,
    recordMode: null,
  }]);
  const r = new Registry({ store, now: clock().now });
  assert.deepEqual(r.get(A), {
    serial: A,
    name: "Front door",
    state: "offline",
    firstSeen: "2026-11-22T10:00:00.000Z",
    lastSeen: "2026-11-23T09:00:00.000Z",
    lastFrameAt: "2026-11-23T08:59:59.500Z",
    fps: 0,
    kbps: 0,
    frames: 1234,
    bad: 5,
    skipped: 6,
    status,
    recording: { mode: "off", source: "default", recording: false, dropped: 0 },
    motion: { enabled: false, active: false },
    hidden: false,
  });
  assert.deepEqual(r.tick(), []);
});

Deno.test("Registry.flush() saves only the cameras changed since the last flush", () => {
  const store = new MemoryStore();
  const clk = clock();
  const r = new Registry({ store, now: clk.now });
  r.flush();
  assert.equal(store.saves.length, 0, "nothing to save, no save");
  r.connected(A);
  r.connected(B);
  r.flush();
  assert.deepEqual(store.saves.at(-1)!.map((c) => c.serial).sort(), [A, B].sort());
  r.flush();
  assert.equal(store.saves.length, 1);
  clk.advance(10);
  r.frame(B, 10);
  r.flush();
  assert.deepEqual(store.saves.at(-1), [{
    serial: B,
    name: B,
    firstSeen: T0,
    lastSeen: T0 + 10,
    lastFrameAt: T0 + 10,
    frames: 1,
    bad: 0,
    skipped: 0,
    status: null,
    recordMode: null,
    motion: null,
  }]);
});

Deno.test("Registry.flush() retries cameras whose save failed", () => {
  const store = new MemoryStore();
  const r = new Registry({ store, now: clock().now });
  r.connected(A);
  store.failNext = true;
  assert.throws(() => r.flush(), /disk full/);
  r.flush();
  assert.deepEqual(store.saves.map((s) => s.map((c) => c.serial)), [[A]]);
});

Deno.test("Registry state survives a restart through its store", () => {
  const store = new MemoryStore();
  const clk = clock();
  const r1 = new Registry({ store, now: clk.now });
  r1.connected(A);
  r1.rename(A, "Gate");
  r1.frame(A, 10);
  r1.bad(A);
  r1.skipped(A, 3);
  r1.status(A, { fw: "x", at: "2026-11-23T10:00:00.000Z" });
  r1.flush();
  clk.advance(1000);
  const r2 = new Registry({ store, now: clk.now });
  const before = { ...r1.get(A)!, state: "offline", fps: 0, kbps: 0 };
  assert.deepEqual(r2.get(A), before);
});

Deno.test("Registry rejects a non-positive stallMs", () => {
  assert.throws(() => new Registry({ stallMs: 0 }), RangeError);
});

Deno.test("Registry.setRecordMode() overrides the default for one camera, null follows it", () => {
  const dropped = new Map([[A, 3]]);
  const r = new Registry({
    now: clock().now,
    recorder: {
      defaultMode: "continuous",
      dropped: (serial) => dropped.get(serial) ?? 0,
      paused: () => false,
    },
  });
  r.connected(A);
  r.connected(B);
  assert.deepEqual(r.get(A)!.recording, {
    mode: "continuous",
    source: "default",
    recording: true,
    dropped: 3,
  });
  assert.deepEqual(r.setRecordMode(A, "off").recording, {
    mode: "off",
    source: "camera",
    recording: false,
    dropped: 3,
  });
  assert.equal(r.recordModeOf(A), "off");
  assert.equal(r.recordModeOf(A.toLowerCase()), "off");
  assert.equal(r.recordModeOf(B), "continuous");
  assert.equal(r.recordModeOf(C), "continuous", "a camera not seen yet follows the default");
  assert.deepEqual(r.setRecordMode(B, "motion").recording, {
    mode: "motion",
    source: "camera",
    recording: false,
    dropped: 0,
  });
  assert.equal(r.hasOwnRecordMode("off"), true);
  assert.deepEqual(r.setRecordMode(A, null).recording.source, "default");
  assert.equal(r.recordModeOf(A), "continuous");
  assert.equal(r.hasOwnRecordMode("off"), false);
  assert.equal(r.hasOwnRecordMode("continuous"), false, "the default is not a camera's own");
  assert.equal(r.hasOwnRecordMode("motion"), true);
});

Deno.test("Registry CAMERA recording is true only while online, continuous and not paused", () => {
  let paused = false;
  const r = new Registry({
    now: clock().now,
    stallMs: 1000,
    recorder: { defaultMode: "off", dropped: () => 0, paused: () => paused },
  });
  r.connected(A);
  assert.equal(r.get(A)!.recording.recording, false, "off by default");
  assert.equal(r.setRecordMode(A, "continuous").recording.recording, true);
  paused = true;
  assert.equal(r.get(A)!.recording.recording, false, "paused");
  paused = false;
  assert.equal(r.disconnected(A)!.recording.recording, false, "offline");
});

Deno.test("Registry.setRecordMode() is saved and loaded; unknown serials are TC_ERR_NOT_FOUND", () => {
  const store = new MemoryStore();
  const clk = clock();
  const r1 = new Registry({ store, now: clk.now });
  r1.connected(A);
  r1.connected(B);
  r1.flush();
  r1.setRecordMode(A, "continuous");
  r1.flush();
  assert.deepEqual(store.saves.at(-1)!.map((c) => [c.serial, c.recordMode]), [[A, "continuous"]]);
  const r2 = new Registry({ store, now: clk.now });
  assert.equal(r2.recordModeOf(A), "continuous");
  assert.equal(r2.recordModeOf(B), "off");
  assert.deepEqual(r2.get(A)!.recording, {
    mode: "continuous",
    source: "camera",
    recording: false,
    dropped: 0,
  });
  assert.throws(
    () => r2.setRecordMode(C, "off"),
    (err) => code(err, "TC_ERR_NOT_FOUND", `Unknown camera: "${C}"`),
  );
});

Deno.test("Registry.motionSettingsOf() is a camera's own settings, else the defaults", () => {
  const store = new MemoryStore();
  let running = true;
  const r = new Registry({
    store,
    now: clock().now,
    motion: { running: () => running, active: (serial) => serial === A },
  });
  assert.equal(r.motionSettingsOf(A), DEFAULT_MOTION_SETTINGS, "a camera not seen yet");
  r.connected(A);
  assert.deepEqual(r.get(A)!.motion, { enabled: true, active: true });
  const own = { ...DEFAULT_MOTION_SETTINGS, enabled: false, fps: 2 };
  assert.deepEqual(r.setMotionSettings(A.toLowerCase(), own).motion, {
    enabled: false,
    active: false,
  });
  assert.deepEqual(r.motionSettingsOf(A), own);
  assert.ok(Object.isFrozen(r.motionSettingsOf(A)));
  r.flush();
  assert.deepEqual(store.saves.at(-1)![0].motion, own);
  r.setMotionSettings(A, DEFAULT_MOTION_SETTINGS);
  running = false;
  assert.deepEqual(r.get(A)!.motion, { enabled: false, active: false }, "--motion off");
  assert.throws(
    () => r.setMotionSettings(B, own),
    (e) => code(e, "TC_ERR_NOT_FOUND", `Unknown camera: "${B}"`),
  );
});
