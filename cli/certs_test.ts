import assert from "node:assert/strict";
import { join } from "node:path";
import { certsMain } from "./certs.ts";
import { CERT_FILES } from "./cert_dir.ts";
import { RevocationList } from "../lib/revocation.ts";

interface Run {
  code: number;
  out: string;
  err: string;
}

async function certs(...args: string[]): Promise<Run> {
  const out: string[] = [], err: string[] = [];
  const code = await certsMain(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "trustcam_certs_cli_" });
  try {
    await fn(join(root, "certs"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function openssl(args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command("openssl", {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code, out: dec.decode(stdout) + dec.decode(stderr) };
}

function modeOf(path: string): number {
  return Deno.statSync(path).mode! & 0o777;
}

Deno.test("certsMain() --help describes every command", async () => {
  const top = await certs("--help");
  assert.equal(top.code, 0);
  for (const cmd of ["init", "device", "viewer", "list", "revoke", "crl"]) {
    assert.match(top.out, new RegExp(`^  ${cmd}\\b`, "m"), cmd);
    const r = await certs(cmd, "--help");
    assert.equal(r.code, 0, cmd);
    assert.match(r.out, new RegExp(`^Usage: deno task certs ${cmd}`), cmd);
    assert.equal(r.err, "");
    assert.equal((await certs(cmd, "-h")).out, r.out);
    assert.equal((await certs("help", cmd)).out, r.out);
  }
});

Deno.test("certsMain() usage errors exit 2 with one line on stderr", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["frobnicate"], /^error: Unknown command: "frobnicate": run `deno task certs --help`$/],
    [["device"], /^error: Missing <serial>: run `deno task certs device --help`$/],
    [["viewer", "a", "b"], /^error: Unexpected argument: "b"/],
    [["init", "extra"], /^error: Unexpected argument: "extra"/],
    [["list", "--bogus"], /^error: Unknown option: "--bogus": run `deno task certs list --help`$/],
    [["list", "--dir"], /^error: Option '--dir <value>' argument missing/],
    [
      ["list", "--jsno"],
      /^error: Unknown option: "--jsno": did you mean --json\? Run `deno task certs list --help`$/,
    ],
    [["viewer", "bob", "--froce"], /^error: Unknown option: "--froce": did you mean --force\?/],
    [["init", "--dri", "x"], /^error: Unknown option: "--dri": did you mean --dir\?/],
    [["lsit"], /^error: Unknown command: "lsit": did you mean `deno task certs list`\?$/],
  ];
  for (const [args, message] of cases) {
    const r = await certs(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, message);
    assert.equal(r.err.split("\n").length, 1);
  }
  const bare = await certs();
  assert.equal(bare.code, 2);
  assert.match(bare.out, /^Usage: deno task certs <command>/);
});

Deno.test("certsMain() init creates the CA, refuses to overwrite it and --force replaces it", async () => {
  await withDir(async (dir) => {
    const r = await certs("init", "--dir", dir, "--host", "hub.lan", "--host", "10.1.2.3");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /hosts: localhost, 127\.0\.0\.1, ::1, hub\.lan, 10\.1\.2\.3/);
    for (const f of [CERT_FILES.rootKey, CERT_FILES.signerKey, CERT_FILES.serverKey]) {
      assert.equal(modeOf(join(dir, f)), 0o600, f);
      assert.match(r.out, new RegExp(`${f.replace(".", "\\.")}\\s+\\(secret, mode 0600\\)`));
    }
    const text = (await openssl(["x509", "-noout", "-text", "-in", join(dir, "server.chain")]))
      .out;
    assert.match(text, /DNS:hub\.lan/);
    assert.match(text, /IP Address:10\.1\.2\.3/);
    const root = await Deno.readTextFile(join(dir, CERT_FILES.rootCa));

    const again = await certs("init", "--dir", dir);
    assert.equal(again.code, 1);
    assert.match(again.err, /^error: CA already exists: ".*root-ca\.crt": pass --force/);
    assert.equal(again.err.split("\n").length, 1);
    assert.equal(await Deno.readTextFile(join(dir, CERT_FILES.rootCa)), root);

    const forced = await certs("init", "--dir", dir, "--force");
    assert.equal(forced.code, 0, forced.err);
    assert.notEqual(await Deno.readTextFile(join(dir, CERT_FILES.rootCa)), root);

    const bad = await certs("init", "--dir", join(dir, "x"), "--host", "not a host");
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^error: Invalid host: "not a host"/);
  });
});

Deno.test("certsMain() device and viewer issue verifiable certificates", async () => {
  await withDir(async (dir) => {
    assert.equal((await certs("init", "--dir", dir)).code, 0);
    const d = await certs("device", "0123a1b2c3d4e5f6a7", "--dir", dir);
    assert.equal(d.code, 0, d.err);
    assert.match(
      d.out,
      /^Issued device certificate 0123A1B2C3D4E5F6A7 \(expires \d{4}-\d\d-\d\d\)/,
    );
    const crt = join(dir, "devices", "0123A1B2C3D4E5F6A7.crt");
    const v = await openssl([
      ...["verify", "-CAfile", join(dir, CERT_FILES.rootCa)],
      ...["-untrusted", join(dir, CERT_FILES.signerCa), "-purpose", "sslclient", crt],
    ]);
    assert.equal(v.code, 0, v.out);
    assert.equal(modeOf(join(dir, "devices", "0123A1B2C3D4E5F6A7.key")), 0o600);

    const w = await certs("viewer", "alice", "--dir", dir);
    assert.equal(w.code, 0, w.err);
    const password = /^ {2}password +(\S+)$/m.exec(w.out)?.[1];
    assert.ok(password, w.out);
    assert.equal(w.out.split(password).length, 2, "the password is printed exactly once");
    assert.match(w.out, /viewers\/alice\.p12/);
    for (const where of ["Chrome", "Firefox", "macOS"]) assert.ok(w.out.includes(where), where);
    const p12 = join(dir, "viewers", "alice.p12");
    const info = await openssl([
      "pkcs12",
      "-info",
      "-noout",
      "-in",
      p12,
      "-passin",
      `pass:${password}`,
    ]);
    assert.equal(info.code, 0, info.out);
  });
});

Deno.test("certsMain() device and viewer reject bad input with exit 1", async () => {
  await withDir(async (dir) => {
    const none = await certs("device", "0123A1B2C3D4E5F6A7", "--dir", dir);
    assert.equal(none.code, 1);
    assert.match(
      none.err,
      /^error: No signer CA: ".*signer-ca\.crt" is missing: run `deno task certs init`/,
    );
    assert.equal((await certs("init", "--dir", dir)).code, 0);
    const bad = await certs("device", "ABC", "--dir", dir);
    assert.equal(bad.code, 1);
    assert.equal(bad.err, 'error: Invalid device serial: "ABC": must match ^0123[0-9A-Fa-f]{14}$');
    const badName = await certs("viewer", "bob smith", "--dir", dir);
    assert.equal(badName.code, 1);
    assert.match(badName.err, /^error: Invalid viewer name: "bob smith"/);
    const serialName = await certs("viewer", "0123A1B2C3D4E5F6A7", "--dir", dir);
    assert.equal(serialName.code, 1);
    assert.match(serialName.err, /matches the device pattern/);
    assert.equal((await certs("viewer", "carol", "--dir", dir)).code, 0);
    const dup = await certs("viewer", "carol", "--dir", dir);
    assert.equal(dup.code, 1);
    assert.match(dup.err, /^error: Certificate already exists: ".*carol\.crt"/);
    assert.equal((await certs("viewer", "carol", "--dir", dir, "--force")).code, 0);
  });
});

Deno.test("certsMain() revoke writes entries and list shows them revoked", async () => {
  await withDir(async (dir) => {
    assert.equal((await certs("init", "--dir", dir)).code, 0);
    assert.equal((await certs("device", "0123A1B2C3D4E5F6A7", "--dir", dir)).code, 0);
    assert.equal((await certs("viewer", "alice", "--dir", dir)).code, 0);

    const listed = JSON.parse((await certs("list", "--dir", dir, "--json")).out);
    assert.deepEqual(
      listed.map((c: { kind: string; revoked: boolean }) => [c.kind, c.revoked]),
      [["root", false], ["signer", false], ["server", false], ["device", false], [
        "viewer",
        false,
      ]],
    );
    const device = listed.find((c: { kind: string }) => c.kind === "device");

    const r = await certs("revoke", "0123A1B2C3D4E5F6A7", "--dir", dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Added to .*revoked\.txt:$/m);
    assert.ok(r.out.includes(`\n  serial:${device.serialNumber}\n`), r.out);
    assert.match(r.out, /^Signed .*crl\.pem: CRL number 2, 1 revoked certificate\(s\)\.$/m);
    const file = await Deno.readTextFile(join(dir, CERT_FILES.revoked));
    assert.ok(file.includes(`\nserial:${device.serialNumber}\n`));
    assert.doesNotMatch(file, /^cn:/m, "the name stays free");

    const again = await certs("revoke", "0123A1B2C3D4E5F6A7", "--dir", dir);
    assert.equal(again.code, 0);
    assert.match(again.out, /^Already revoked/);

    const table = await certs("list", "--dir", dir);
    assert.match(table.out, /^device\s+0123A1B2C3D4E5F6A7\s+\S+\s+REVOKED/m);
    assert.match(table.out, /^viewer\s+alice\s+\S+\s+ok/m);

    const nothing = await certs("revoke", "nobody", "--dir", dir);
    assert.equal(nothing.code, 1);
    assert.match(nothing.err, /^error: Nothing to revoke: "nobody"/);
    const noDir = await certs("revoke", "alice", "--dir", join(dir, "missing"));
    assert.equal(noDir.code, 1);
    assert.match(noDir.err, /^error: No certificates directory: .*certs init/);
  });
});

Deno.test("certsMain() list judges revoked.txt exactly as the hub does (any-case cn, bare fingerprint)", async () => {
  await withDir(async (dir) => {
    assert.equal((await certs("init", "--dir", dir)).code, 0);
    assert.equal((await certs("device", "0123A1B2C3D4E5F6A7", "--dir", dir)).code, 0);
    assert.equal((await certs("viewer", "alice", "--dir", dir)).code, 0);
    assert.equal((await certs("viewer", "bob", "--dir", dir)).code, 0);
    type Row = { kind: string; cn: string; fingerprint256: string; serialNumber: string };
    const before: Row[] = JSON.parse((await certs("list", "--dir", dir, "--json")).out);
    const device = before.find((c) => c.kind === "device")!;
    // Written by hand: a CN in another case, and a fingerprint as `openssl x509 -fingerprint` prints it.
    const colons = device.fingerprint256.toUpperCase().match(/../g)!.join(":");
    const text = `# by hand\ncn:Alice\n${colons}\n`;
    await Deno.writeTextFile(join(dir, CERT_FILES.revoked), text);

    const hub = RevocationList.parse(text);
    const listed: Array<Row & { revoked: boolean }> = JSON.parse(
      (await certs("list", "--dir", dir, "--json")).out,
    );
    for (const c of listed.filter((c) => c.kind === "device" || c.kind === "viewer")) {
      assert.equal(c.revoked, hub.isRevoked(c), c.cn);
    }
    assert.deepEqual(listed.map((c) => [c.kind, c.cn, c.revoked]), [
      ["root", "trustcam root CA", false],
      ["signer", "trustcam signer CA", false],
      ["server", "localhost", false],
      ["device", "0123A1B2C3D4E5F6A7", true],
      ["viewer", "alice", true],
      ["viewer", "bob", false],
    ]);
    const table = (await certs("list", "--dir", dir)).out;
    assert.match(table, /^device\s+0123A1B2C3D4E5F6A7\s+\S+\s+REVOKED/m);
    assert.match(table, /^viewer\s+alice\s+\S+\s+REVOKED/m);
    assert.match(table, /^viewer\s+bob\s+\S+\s+ok/m);
  });
});

Deno.test("certsMain() viewer --force after revoke issues a valid certificate; revoke --cn bans the name", async () => {
  await withDir(async (dir) => {
    assert.equal((await certs("init", "--dir", dir)).code, 0);
    assert.equal((await certs("viewer", "alice", "--dir", dir)).code, 0);
    type Row = { kind: string; cn: string; serialNumber: string; revoked: boolean };
    const list = async () =>
      (JSON.parse((await certs("list", "--dir", dir, "--json")).out) as Row[])
        .filter((c) => c.kind === "viewer");
    const [old] = await list();

    const r = await certs("revoke", "alice", "--dir", dir);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.includes(`\n  serial:${old.serialNumber}\n`), r.out);
    assert.doesNotMatch(r.out, /bans the name/);
    assert.deepEqual((await list()).map((c) => [c.cn, c.revoked]), [["alice", true]]);

    const again = await certs("viewer", "alice", "--dir", dir, "--force");
    assert.equal(again.code, 0, again.err);
    const [fresh] = await list();
    assert.notEqual(fresh.serialNumber, old.serialNumber);
    assert.equal(fresh.revoked, false, "the reissued certificate is valid");

    const ban = await certs("revoke", "alice", "--cn", "--dir", dir);
    assert.equal(ban.code, 0, ban.err);
    assert.match(ban.out, /^ {2}cn:alice$/m);
    assert.match(ban.out, /^cn:alice bans the name/m);
    assert.deepEqual((await list()).map((c) => [c.cn, c.revoked]), [["alice", true]]);
    const refused = await certs("viewer", "alice", "--dir", dir, "--force");
    assert.equal(refused.code, 1);
    assert.match(refused.err, /^error: Name revoked for good: "alice"/);

    const crl = await certs("crl", "--dir", dir);
    assert.equal(crl.code, 0, crl.err);
    assert.match(crl.out, /^Signed .*crl\.pem: CRL number 4, 2 revoked certificate\(s\)\.$/m);
  });
});
