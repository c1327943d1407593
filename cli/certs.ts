/**
 * `deno task certs <command>`: the trustcam certificate authority on the command line.
 * Every command is a thin shell over cli/cert_dir.ts and cli/cert_revocation.ts; `certsMain`
 * returns the exit code so tests run it in-process.
 */
import { parseArgs } from "node:util";
import { join, relative } from "node:path";
import { CERT_FILES, DEFAULT_HOSTS, initPki, issueDevice, issueViewer } from "./cert_dir.ts";
import { type CrlOutcome, listCertificates, refreshCrl, revoke } from "./cert_revocation.ts";
import { PkiError } from "../lib/pki_error.ts";
import { UsageError } from "../lib/usage_error.ts";
import { suggestOption } from "../lib/suggest_option.ts";

export interface CertsIo {
  out(line: string): void;
  err(line: string): void;
}

const defaultIo: CertsIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

const DEFAULT_DIR = "certs";

const USAGE = `Usage: deno task certs <command> [options]

Manage trustcam's certificate authority: the hub's server certificate and the client
certificates of cameras (devices) and browsers (viewers).

Commands:
  init [--host H]... [--force]   create the root CA, signer CA and hub server certificate
  device <serial> [--force]      issue a camera certificate (CN = ATECC608 serial)
  viewer <name> [--force]        issue a viewer certificate and a .p12 for a browser
  list [--json]                  list certificates and whether they are revoked
  revoke <name|serial|fingerprint> [--cn]
                                 revoke certificates (revoked.txt and the signed crl.pem)
  crl                            sign crl.pem anew from revoked.txt

Options for every command:
  --dir DIR    certificates directory (default: ${DEFAULT_DIR})
  -h, --help   help for a command: deno task certs <command> --help`;

const HELP: Record<string, string> = {
  init: `Usage: deno task certs init [--dir ${DEFAULT_DIR}] [--host H]... [--force]

Creates a root CA, a signer CA and the hub's server certificate (ECDSA P-256) in DIR:
  ${CERT_FILES.serverKey}, ${CERT_FILES.serverChain}     the hub's TLS key and certificate chain
  ${CERT_FILES.signerCa}, ${CERT_FILES.rootCa}   the CAs clients must chain to
  ${CERT_FILES.revoked}, ${CERT_FILES.crl}        the revocation list and the signed CRL the hub watches
  ${CERT_FILES.signerKey}, ${CERT_FILES.rootKey}
                              CA keys (secret), apart from the files the hub reads; the
                              hub never needs them: keep them off its machine if you can

Options:
  --host H    a DNS name or IP address the hub is reached at; repeat for several.
              ${DEFAULT_HOSTS.join(", ")} are always included.
  --force     replace an existing CA (every certificate it issued stops working)
  --dir DIR   certificates directory (default: ${DEFAULT_DIR})`,
  device: `Usage: deno task certs device <serial> [--dir ${DEFAULT_DIR}] [--force]

Issues a client certificate for a camera whose CN is its serial, e.g. 0123A1B2C3D4E5F6A7
(18 hex digits starting with 0123, as printed by the ATECC608). Writes
DIR/devices/<serial>.crt, .key and .chain.

Options:
  --force     replace an existing certificate for this serial (revoke the old one by fingerprint)
  --dir DIR   certificates directory (default: ${DEFAULT_DIR})`,
  viewer: `Usage: deno task certs viewer <name> [--dir ${DEFAULT_DIR}] [--force]

Issues a client certificate for a person or screen watching the cameras. The name is 1-64
characters of A-Z a-z 0-9 . _ @ - and must not look like a camera serial. Writes
DIR/viewers/<name>.crt, .key, .chain and a password-protected .p12 to import into a browser;
the password is printed once.

Options:
  --force     replace an existing certificate for this name
  --dir DIR   certificates directory (default: ${DEFAULT_DIR})`,
  list: `Usage: deno task certs list [--dir ${DEFAULT_DIR}] [--json]

Lists the CAs, the server certificate and every issued device and viewer certificate with
its serial number, SHA-256 fingerprint, expiry and revocation state.

Options:
  --json      print a JSON array instead of a table
  --dir DIR   certificates directory (default: ${DEFAULT_DIR})`,
  revoke: `Usage: deno task certs revoke <name|serial|fingerprint> [--cn] [--dir ${DEFAULT_DIR}]

Revokes certificates. The target is a viewer name or camera serial with certificates in DIR,
a certificate serial number or a SHA-256 fingerprint (hex, colons optional). Each certificate
found is revoked by its serial number: a serial: line in DIR/${CERT_FILES.revoked}, and an
entry in DIR/${CERT_FILES.crl}, the X.509 CRL signed by the signer CA (for openssl, nginx and
other TLS stacks). The name stays free: \`deno task certs viewer <name> --force\` then
issues a new, valid certificate.

A camera serial with no certificate file here (provisioned elsewhere) is revoked by name
(a cn: line). The hub re-reads both files and closes connections that use a revoked
certificate.

Options:
  --cn        ban the name for good (a cn: line): every certificate with this CN, past or
              future, is refused, and \`certs viewer/device\` refuses to issue one for it
  --dir DIR   certificates directory (default: ${DEFAULT_DIR})`,
  crl: `Usage: deno task certs crl [--dir ${DEFAULT_DIR}]

Signs DIR/${CERT_FILES.crl} anew from DIR/${CERT_FILES.revoked} with the signer CA: every serial:
line and every certificate in DIR that a line revokes, with a fresh nextUpdate (a year on)
and the next CRL number. Run it before the CRL's nextUpdate if other TLS stacks check it,
after editing ${CERT_FILES.revoked} by hand, or to replace a CRL that no longer verifies.

Options:
  --dir DIR   certificates directory (default: ${DEFAULT_DIR})`,
};

const OPTIONS = {
  init: { host: { type: "string", multiple: true }, force: { type: "boolean" } },
  device: { force: { type: "boolean" } },
  viewer: { force: { type: "boolean" } },
  list: { json: { type: "boolean" } },
  revoke: { cn: { type: "boolean" } },
  crl: {},
} as const;

type Command = keyof typeof OPTIONS;

const POSITIONALS: Record<Command, string | undefined> = {
  init: undefined,
  device: "serial",
  viewer: "name",
  list: undefined,
  revoke: "name|serial|fingerprint",
  crl: undefined,
};

/** Runs `deno task certs` with `args`; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function certsMain(args: string[], io: CertsIo = defaultIo): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === undefined || cmd === "-h" || cmd === "--help" || cmd === "help") {
    const topic = cmd === "help" ? rest[0] : undefined;
    if (topic && topic in HELP) io.out(HELP[topic]);
    else io.out(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (!(cmd in OPTIONS)) {
    const near = suggestOption(cmd, Object.keys(OPTIONS))?.slice(2);
    io.err(
      near
        ? `error: Unknown command: "${cmd}": did you mean \`deno task certs ${near}\`?`
        : `error: Unknown command: "${cmd}": run \`deno task certs --help\``,
    );
    return 2;
  }
  const command = cmd as Command;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: {
        ...OPTIONS[command],
        dir: { type: "string", default: DEFAULT_DIR },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.out(HELP[command]);
      return 0;
    }
    const want = POSITIONALS[command];
    if (want === undefined && positionals.length > 0) {
      throw new UsageError(`Unexpected argument: "${positionals[0]}"`);
    }
    if (want !== undefined && positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0 ? `Missing <${want}>` : `Unexpected argument: "${positionals[1]}"`,
      );
    }
    const dir = values.dir as string;
    const flags = values as Record<string, unknown>;
    switch (command) {
      case "init":
        await runInit(io, dir, (flags.host as string[] | undefined) ?? [], !!flags.force);
        break;
      case "device":
        await runDevice(io, dir, positionals[0], !!flags.force);
        break;
      case "viewer":
        await runViewer(io, dir, positionals[0], !!flags.force);
        break;
      case "list":
        await runList(io, dir, !!flags.json);
        break;
      case "revoke":
        await runRevoke(io, dir, positionals[0], !!flags.cn);
        break;
      case "crl":
        await runCrl(io, dir);
        break;
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      const message = err instanceof UsageError
        ? err.message
        : parseArgsMessage(err as Error, [...Object.keys(OPTIONS[command]), "dir", "help"]);
      const help = `deno task certs ${command} --help`;
      io.err(
        `error: ${message}${message.endsWith("?") ? ` Run \`${help}\`` : `: run \`${help}\``}`,
      );
      return 2;
    }
    if (err instanceof PkiError) {
      io.err(`error: ${err.message}`);
      return 1;
    }
    // File-system failures (permissions, read-only disk) are the operator's to fix, not bugs.
    if (err instanceof Error && Object.values(Deno.errors).some((E) => err instanceof E)) {
      io.err(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}

/**
 * node's parseArgs messages run to several sentences; keep the first, in our style, with the
 * nearest of `known` flags for an unknown one.
 */
function parseArgsMessage(err: Error, known: string[]): string {
  const unknown = /^Unknown option '([^']+)'/.exec(err.message);
  if (unknown) {
    const near = suggestOption(unknown[1], known);
    return `Unknown option: "${unknown[1]}"${near ? `: did you mean ${near}?` : ""}`;
  }
  return err.message.split(/\.( |$)/)[0];
}

/** Paths as the operator typed them: relative to the working directory when inside it. */
function show(path: string): string {
  const rel = relative(Deno.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

async function runInit(io: CertsIo, dir: string, hosts: string[], force: boolean) {
  const { created } = await initPki(dir, { hosts, force });
  const secret = new Set<string>(
    [CERT_FILES.rootKey, CERT_FILES.signerKey, CERT_FILES.serverKey].map((f) => join(dir, f)),
  );
  io.out(`Created the trustcam CA in ${show(dir)}:`);
  for (const path of created) {
    io.out(`  ${show(path)}${secret.has(path) ? "   (secret, mode 0600)" : ""}`);
  }
  io.out(`The CA keys are in ${show(join(dir, "ca"))}/: the hub does not need them.`);
  io.out(`Server certificate hosts: ${[...new Set([...DEFAULT_HOSTS, ...hosts])].join(", ")}`);
  io.out("");
  io.out("Next:");
  io.out("  deno task certs device 0123XXXXXXXXXXXXXX   a certificate for each camera");
  io.out("  deno task certs viewer <name>               a certificate for each browser");
}

async function runDevice(io: CertsIo, dir: string, serial: string, force: boolean) {
  const d = await issueDevice(dir, serial, { force });
  io.out(`Issued device certificate ${d.cert.cn} (expires ${day(d.cert.notAfter)})`);
  io.out(`  certificate  ${show(d.certPath)}`);
  io.out(`  chain        ${show(d.chainPath)}`);
  io.out(`  key          ${show(d.keyPath)}   (secret, mode 0600)`);
  io.out(`  sha256       ${d.cert.fingerprint256}`);
}

async function runViewer(io: CertsIo, dir: string, name: string, force: boolean) {
  const v = await issueViewer(dir, name, { force });
  const p12 = show(v.p12Path);
  io.out(`Issued viewer certificate "${v.cert.cn}" (expires ${day(v.cert.notAfter)})`);
  io.out(`  certificate  ${show(v.certPath)}`);
  io.out(`  key          ${show(v.keyPath)}   (secret, mode 0600)`);
  io.out(`  browser      ${p12}`);
  io.out(`  password     ${v.password}`);
  io.out("");
  io.out("The password is shown only this once and is not stored; note it now.");
  io.out("");
  io.out(`Import ${p12} into the browser that will watch the cameras:`);
  io.out("  Chrome/Edge  Settings > Privacy and security > Security > Manage certificates >");
  io.out(
    "               Your certificates > Import (on macOS and Windows it opens the system store)",
  );
  io.out("  Firefox      Settings > Privacy & Security > Certificates > View Certificates >");
  io.out("               Your Certificates > Import");
  io.out("  macOS        double-click the .p12 and add it to the login keychain (Safari, Chrome)");
  io.out(`To trust the hub itself, import ${show(join(dir, CERT_FILES.rootCa))} as an authority`);
  io.out("(Firefox: Authorities > Import > trust this CA to identify websites).");
}

async function runList(io: CertsIo, dir: string, json: boolean) {
  const list = await listCertificates(dir);
  if (json) {
    io.out(JSON.stringify(list.map((c) => ({ ...c, path: show(c.path) })), null, 2));
    return;
  }
  if (list.length === 0) {
    io.out(`No certificates in ${show(dir)}: run \`deno task certs init\``);
    return;
  }
  const rows = list.map((c) => [
    c.kind,
    c.cn,
    day(c.notAfter),
    c.revoked ? "REVOKED" : c.notAfter.getTime() < Date.now() ? "expired" : "ok",
    c.fingerprint256.slice(0, 16),
    show(c.path),
  ]);
  const head = ["KIND", "CN", "EXPIRES", "STATE", "SHA256", "PATH"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) {
    io.out(r.map((cell, i) => i === r.length - 1 ? cell : cell.padEnd(widths[i])).join("  "));
  }
}

async function runRevoke(io: CertsIo, dir: string, target: string, cn: boolean) {
  const r = await revoke(dir, target, { cn });
  const file = show(join(dir, CERT_FILES.revoked));
  if (r.added.length === 0) {
    io.out(`Already revoked in ${file}: ${r.entries.join(", ")}`);
  } else {
    io.out(`Added to ${file}:`);
    for (const e of r.added) io.out(`  ${e}`);
    if (r.matched.length) io.out(`Matches: ${r.matched.map(show).join(", ")}`);
    else io.out("No certificate file here matches; the entry applies to any certificate with it.");
  }
  const ban = r.entries.find((e) => e.startsWith("cn:"));
  if (ban) {
    io.out(
      `${ban} bans the name: any certificate with it is refused, and no new one is issued for it.`,
    );
  }
  showCrl(io, r.crl);
  if (r.added.length) {
    io.out("The hub re-reads both files and closes connections using a revoked certificate.");
  }
}

function showCrl(io: CertsIo, c: CrlOutcome) {
  if (c.written) {
    io.out(`Signed ${show(c.path)}: CRL number ${c.number}, ${c.revoked} revoked certificate(s).`);
  } else if (c.reason === "no_signer_key") {
    io.out(
      `No signer CA key here (${show(c.keyPath!)}), so ${show(c.path)} is not updated; ` +
        "the hub enforces the list all the same. Run `deno task certs crl` where the key is.",
    );
  }
}

async function runCrl(io: CertsIo, dir: string) {
  const r = await refreshCrl(dir);
  if (r.replaced) io.out(`Replaced a CRL that did not verify (${r.replaced}).`);
  showCrl(io, r);
}

if (import.meta.main) Deno.exit(await certsMain(Deno.args));
