import assert from "node:assert/strict";
import { SnapshotStore } from "./snapshot_store.ts";

Deno.test("SnapshotStore writes each new frame once and reads it back after a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_snap_" });
  try {
    const store = new SnapshotStore(dir);
    assert.equal(store.get("0123A1B2C3D4E5F6A7"), undefined);
    const frame = { data: new Uint8Array([0xff, 0xd8, 0xff, 0xd9, 0x30, 0x31]), jpegLength: 4 };
    await store.flush([["0123A1B2C3D4E5F6A7", frame]]);
    const mtime = Deno.statSync(`${dir}/0123A1B2C3D4E5F6A7.jpg`).mtime;
    await new Promise((r) => setTimeout(r, 20));
    await store.flush([["0123A1B2C3D4E5F6A7", frame]]); // same frame: no write
    assert.deepEqual(Deno.statSync(`${dir}/0123A1B2C3D4E5F6A7.jpg`).mtime, mtime);

    const reopened = new SnapshotStore(dir);
    assert.deepEqual([...reopened.get("0123A1B2C3D4E5F6A7")!], [0xff, 0xd8, 0xff, 0xd9]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["0123A1B2C3D4E5F6A7.jpg"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SnapshotStore.remove() forgets a camera's picture, after a write queued for it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_snap_" });
  try {
    const store = new SnapshotStore(dir);
    const frame = { data: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), jpegLength: 4 };
    // Not awaited: the removal must still come after this write.
    const written = store.flush([["0123A1B2C3D4E5F6A7", frame]]);
    await store.remove("0123A1B2C3D4E5F6A7");
    await written;
    assert.equal(store.get("0123A1B2C3D4E5F6A7"), undefined);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
    assert.equal(new SnapshotStore(dir).get("0123A1B2C3D4E5F6A7"), undefined);
    await store.remove("0123A1B2C3D4E5F6A7"); // none left: no error
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
