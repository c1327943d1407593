import assert from "node:assert/strict";
import { TrustcamError } from "./errors.ts";
import { type CameraStore, Registry, type StoredCamera } from "./registry.ts";
import { RemoteCameras } from "./remote_cameras.ts";

const A = "0123A1B2C3D4E5F6A7";
const B = "0123000000000000B0";

class MemoryStore implements CameraStore {
  rows = new Map<string, StoredCamera>();
  load(): StoredCamera[] {
    return [...this.rows.values()].map((r) => structuredClone(r));
  }
  save(cameras: StoredCamera[]): void {
    for (const c of cameras) this.rows.set(c.serial, structuredClone(c));
  }
  delete(serials: string[]): void {
    for (const s of serials) this.rows.delete(s);
  }
  close(): void {}
}

function refusal(fn: () => unknown): TrustcamError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TrustcamError, `expected a TrustcamError, got ${err}`);
    return err;
  }
  assert.fail("did not throw");
}

Deno.test("Registry.setHidden() is reported as a boolean and survives a restart", () => {
  const store = new MemoryStore();
  const r = new Registry({ store });
  assert.equal(r.connected(A).hidden, false);
  assert.equal(r.setHidden(A, true).hidden, true);
  r.flush();
  assert.equal(store.rows.get(A)?.hidden, true);
  const again = new Registry({ store });
  assert.equal(again.get(A)?.hidden, true);
  assert.deepEqual(again.settingsOf(A)?.hidden, true);
  assert.equal(again.setHidden(A, false).hidden, false);
  again.flush();
  assert.equal(new Registry({ store }).get(A)?.hidden, false);
  assert.equal(refusal(() => r.setHidden(B, true)).code, "TC_ERR_NOT_FOUND");
});

Deno.test("Registry.remove() refuses a camera online or stalled, naming it", () => {
  let now = 0;
  const r = new Registry({ now: () => now, stallMs: 1000 });
  r.connected(A);
  r.rename(A, "Gate");
  const online = refusal(() => r.remove(A));
  assert.equal(online.code, "TC_ERR_CAMERA_ONLINE");
  assert.equal(
    online.message,
    `Camera "Gate" (${A}) is online: disconnect it or revoke its certificate before removing it`,
  );
  now = 2000;
  assert.deepEqual(r.tick(), [A]);
  assert.match(refusal(() => r.remove(A)).message, /is stalled: disconnect it/);
  assert.equal(r.has(A), true);
  assert.equal(refusal(() => r.remove(B)).code, "TC_ERR_NOT_FOUND");
});

Deno.test("Registry.remove() forgets an offline camera, store row included; it returns as new", () => {
  const store = new MemoryStore();
  const r = new Registry({ store });
  r.connected(A);
  r.rename(A, "Gate");
  r.frame(A, 100);
  r.disconnected(A);
  r.flush();
  const gone = r.remove(A.toLowerCase());
  assert.equal(gone.name, "Gate");
  assert.equal(gone.state, "offline");
  assert.equal(r.has(A), false);
  assert.deepEqual(r.list(), []);
  assert.equal(store.rows.has(A), false);
  const back = r.connected(A);
  assert.equal(back.name, A);
  assert.equal(back.frames, 0);
});

Deno.test("Registry.forget() keeps a camera online elsewhere and drops an offline record", () => {
  const remote = new RemoteCameras("hub-b");
  const r = new Registry({ cluster: { hub: "hub-b", remote } });
  const a = new Registry();
  remote.event("hub-a", "online", a.connected(A));
  assert.equal(r.get(A)?.state, "online");
  assert.equal(refusal(() => r.remove(A)).code, "TC_ERR_CAMERA_ONLINE");
  assert.equal(r.forget(A), false);
  remote.event("hub-a", "offline", a.disconnected(A)!);
  assert.equal(r.get(A)?.state, "offline");
  assert.equal(r.forget(A), true);
  assert.equal(r.get(A), undefined);
  assert.equal(r.forget(A), false);
});

Deno.test("Registry.applySettings() applies and reports a hidden change", () => {
  const r = new Registry();
  r.connected(A);
  const settings = { ...r.settingsOf(A)!, hidden: true };
  assert.deepEqual(r.applySettings(A, settings), ["hidden"]);
  assert.equal(r.get(A)?.hidden, true);
  assert.deepEqual(r.applySettings(A, settings), []);
  const { hidden: _, ...shown } = settings;
  assert.deepEqual(r.applySettings(A, shown), ["hidden"]);
  assert.equal(r.get(A)?.hidden, false);
});
