import assert from "node:assert/strict";
import { type PeerIdentity, RevocationList } from "./revocation.ts";

const FP =
  "3F:A0:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE";
const FP_HEX = FP.replaceAll(":", "").toLowerCase();
const OTHER_FP = "00".repeat(32);

function peer(p: Partial<PeerIdentity> = {}): PeerIdentity {
  return { cn: "nobody", fingerprint256: OTHER_FP, serialNumber: "01", ...p };
}

Deno.test("RevocationList.EMPTY revokes nothing", () => {
  assert.equal(RevocationList.EMPTY.size, 0);
  assert.equal(RevocationList.EMPTY.isRevoked(peer()), false);
});

Deno.test("RevocationList.parse() ignores comments and blank lines", () => {
  const list = RevocationList.parse("# revoked 2026-11-23\n\n   \ncn:alice  # laptop stolen\n");
  assert.equal(list.size, 1);
  assert.equal(list.isRevoked(peer({ cn: "alice" })), true);
  assert.equal(RevocationList.parse("").size, 0);
  assert.equal(RevocationList.parse("# only\r\n#comments\r\n").size, 0);
});

Deno.test("RevocationList.isRevoked() matches a cn: entry case-insensitively", () => {
  const list = RevocationList.parse("cn:0123a1b2c3d4e5f6a7\ncn: Bob Smith\n");
  assert.equal(list.isRevoked(peer({ cn: "0123A1B2C3D4E5F6A7" })), true);
  assert.equal(list.isRevoked(peer({ cn: "bob smith" })), true);
  assert.equal(list.isRevoked(peer({ cn: "bob" })), false);
});

Deno.test("RevocationList.isRevoked() matches a sha256: entry in any case and format", () => {
  for (const entry of [`sha256:${FP}`, `sha256:${FP_HEX}`, `SHA256:${FP.toLowerCase()}`]) {
    const list = RevocationList.parse(entry);
    assert.equal(list.isRevoked(peer({ fingerprint256: FP })), true, entry);
    assert.equal(list.isRevoked(peer({ fingerprint256: FP_HEX.toUpperCase() })), true, entry);
    assert.equal(list.isRevoked(peer()), false, entry);
  }
});

Deno.test("RevocationList.isRevoked() matches a serial: entry ignoring leading zeros", () => {
  const list = RevocationList.parse("serial:00AB12\nserial:0\n");
  assert.equal(list.isRevoked(peer({ serialNumber: "ab12" })), true);
  assert.equal(list.isRevoked(peer({ serialNumber: "0000AB12" })), true);
  assert.equal(list.isRevoked(peer({ serialNumber: "00:ab:12" })), true);
  assert.equal(list.isRevoked(peer({ serialNumber: "AB1200" })), false);
  assert.equal(list.isRevoked(peer({ serialNumber: "00" })), true, "serial zero");
});

Deno.test("RevocationList.parse() reads 64 bare hex digits as a fingerprint", () => {
  const list = RevocationList.parse(`${FP}\n${FP_HEX.toUpperCase()}\n`);
  assert.equal(list.size, 1, "both spellings are one entry");
  assert.equal(list.isRevoked(peer({ fingerprint256: FP })), true);
  assert.equal(list.isRevoked(peer({ cn: FP })), false, "not a CN");
});

Deno.test("RevocationList.parse() reads any other bare entry as a CN", () => {
  const list = RevocationList.parse("0123A1B2C3D4E5F6A7\nlab:camera#2 # comment\nabc123\n");
  assert.equal(list.isRevoked(peer({ cn: "0123a1b2c3d4e5f6a7" })), true);
  assert.equal(list.isRevoked(peer({ cn: "lab:camera#2" })), true, "# inside a CN is kept");
  assert.equal(list.isRevoked(peer({ cn: "ABC123" })), true);
  assert.equal(list.isRevoked(peer({ serialNumber: "abc123" })), false, "not a serial");
});

Deno.test("RevocationList.parse() rejects a short or non-hex fingerprint with its line", () => {
  assert.throws(
    () => RevocationList.parse("cn:a\n\nsha256:xyz\n"),
    (err) =>
      err instanceof SyntaxError &&
      err.message === 'Invalid revocation entry on line 3: "sha256:xyz"',
  );
  assert.throws(
    () => RevocationList.parse(`sha256:${FP_HEX}00`),
    /^SyntaxError: Invalid revocation entry on line 1: "sha256:3fa0/,
  );
});

Deno.test("RevocationList.parse() rejects a non-hex serial and an empty CN", () => {
  assert.throws(
    () => RevocationList.parse("serial:12g4"),
    (err) =>
      err instanceof SyntaxError &&
      err.message === 'Invalid revocation entry on line 1: "serial:12g4"',
  );
  assert.throws(() => RevocationList.parse("serial:"), SyntaxError);
  assert.throws(() => RevocationList.parse("cn:   "), SyntaxError);
});

Deno.test("RevocationList.isRevoked() never matches empty peer fields", () => {
  const list = RevocationList.parse("cn:x\nserial:1");
  assert.equal(list.isRevoked({ cn: "", fingerprint256: "", serialNumber: "" }), false);
});

Deno.test("RevocationList.union() revokes what any of its lists revokes", () => {
  const text = RevocationList.parse(`cn:alice\nsha256:${FP}\n`);
  const crl = RevocationList.fromSerials(["00:AB:12", "ff"]);
  const both = RevocationList.union(text, crl, RevocationList.EMPTY);
  assert.equal(both.size, 4);
  assert.equal(both.isRevoked(peer({ cn: "Alice" })), true);
  assert.equal(both.isRevoked(peer({ fingerprint256: FP_HEX })), true);
  assert.equal(both.isRevoked(peer({ serialNumber: "AB12" })), true);
  assert.equal(both.isRevoked(peer()), false);
  assert.deepEqual(crl.serials, ["ab12", "ff"]);
  assert.throws(
    () => RevocationList.fromSerials(["xyz"]),
    /^SyntaxError: Invalid serial number: "xyz"$/,
  );
});

Deno.test("RevocationList.parse() rejects a garbled list rather than reading junk as CNs", () => {
  const bytes = new Uint8Array([0x63, 0x6e, 0x3a, 0x61, 0x0a, 0xff, 0xfe, 0x00, 0x13, 0x0a]);
  const text = new TextDecoder().decode(bytes); // as Deno.readTextFile decodes it
  assert.throws(
    () => RevocationList.parse(text),
    /^SyntaxError: Invalid revocation entry on line 2/,
  );
  assert.throws(() => RevocationList.parse("cn:a\u0000b\n"), SyntaxError);
  assert.equal(RevocationList.parse("cn:a\tb # tab inside\n").size, 1);
});
