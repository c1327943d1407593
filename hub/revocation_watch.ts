/**
 * The revocations the hub enforces: revoked.txt (CNs, fingerprints, serials) and the signer
 * CA's CRL (crl.pem, serials), each watched with {@link watchParsed} so that either one
 * failing closed keeps its own previous version, combined into one {@link RevocationList}.
 */
import { readCrl } from "../lib/crl.ts";
import { RevocationList } from "../lib/revocation.ts";
import { watchParsed } from "./watch_parsed.ts";
import type { Log } from "./log.ts";

export interface RevocationWatchOptions {
  /** revoked.txt */
  listPath: string;
  /** crl.pem */
  crlPath: string;
  /** The signer CA certificate the CRL must be signed by. */
  signerCaPem: string;
  log: Log;
  /** Called with both files' entries now and whenever either changes. */
  onChange(list: RevocationList): void;
  intervalMs?: number;
  now?: () => Date;
}

/** Throws HubStartError (from watchParsed) when either file is bad at start-up. */
export function watchRevocations(o: RevocationWatchOptions): Disposable & { close(): void } {
  const { log } = o;
  let fromList = RevocationList.EMPTY;
  let fromCrl = RevocationList.EMPTY;
  let ready = false;
  const emit = () => {
    if (ready) o.onChange(RevocationList.union(fromList, fromCrl));
  };
  const options = { log, event: "revocations", intervalMs: o.intervalMs };
  const listWatch = watchParsed(
    o.listPath,
    // No file at start-up is a fresh install: nothing revoked yet.
    (text) => text === null ? RevocationList.EMPTY : RevocationList.parse(text),
    (list) => {
      fromList = list;
      log("revocations", { path: o.listPath, entries: list.size });
      emit();
    },
    { ...options, label: "revocation list" },
  );
  try {
    const crlWatch = watchParsed(
      o.crlPath,
      (text) => text === null ? null : readCrl(text, o.signerCaPem),
      (crl) => {
        fromCrl = crl?.list ?? RevocationList.EMPTY;
        log("revocations", {
          path: o.crlPath,
          entries: fromCrl.size,
          crl_number: crl?.number?.toString(),
          next_update: crl?.nextUpdate?.toISOString(),
        });
        if (crl?.nextUpdate && crl.nextUpdate < (o.now?.() ?? new Date())) {
          // Still enforced (it revokes what it lists); other TLS stacks would reject it.
          log("revocations-stale", {
            level: "warn",
            path: o.crlPath,
            next_update: crl.nextUpdate.toISOString(),
            fix: "deno task certs crl",
          });
        }
        emit();
      },
      { ...options, label: "certificate revocation list" },
    );
    ready = true;
    emit();
    const close = () => {
      listWatch.close();
      crlWatch.close();
    };
    return { close, [Symbol.dispose]: close };
  } catch (err) {
    listWatch.close();
    throw err;
  }
}
