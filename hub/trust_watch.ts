/**
 * The hub's trust in force: the revocation list (`--revocation-file` and the signer's CRL) and
 * the policy file, both watched. A change takes effect at once: the relay closes the revoked
 * peers' connections and brings viewers' subscriptions in step with the policy, and the long
 * responses (MJPEG streams, exports) a peer may no longer have end.
 */
import { ALLOW_ALL, parsePolicy, type Policy } from "../lib/policy.ts";
import type { Peer } from "../lib/peer.ts";
import { RevocationList } from "../lib/revocation.ts";
import type { StreamRegistry } from "../lib/stream_registry.ts";
import type { HubConfig } from "./config.ts";
import type { Log } from "./log.ts";
import type { Relay } from "./relay.ts";
import { watchRevocations } from "./revocation_watch.ts";
import { watchParsed } from "./watch_parsed.ts";

export interface TrustWatchOptions {
  log: Log;
  isSerial: (s: string) => boolean;
  /** The signer CA certificate (PEM): the CRL must be signed by it. */
  signerCaPem: string;
  /** Called after a new revocation list is in force (the listener closes keep-alives). */
  onRevocations?: () => void;
  /** The long responses a change may end. */
  streams: StreamRegistry;
  /** The relay, once open: the watches start before it, so a first change has none to tell. */
  relay: () => Relay | undefined;
}

export interface TrustWatch {
  /** Whether a peer's certificate is on the revocation list in force now. */
  isRevoked(peer: Peer): boolean;
  /** Whether the policy in force now lets `viewer` see camera `serial`. */
  canSee(viewer: string, serial: string): boolean;
  /** The policy in force now (ALLOW_ALL without `--policy`). */
  policy(): Policy;
}

/** Starts the watches; each pushes its close onto `cleanups` as it opens. */
export function openTrustWatch(
  config: Pick<HubConfig, "revocationFile" | "certsDir" | "policyFile">,
  o: TrustWatchOptions,
  cleanups: Array<() => unknown>,
): TrustWatch {
  const { log } = o;
  const endStreams = (allowed: (p: Peer, serial: string) => boolean, why: string) => {
    const ended = o.streams.enforce(allowed, why);
    for (const s of ended) {
      log("stream-ended", { cn: s.peer.cn, addr: s.peer.remoteAddress, serial: s.serial, why });
    }
    return ended.length;
  };
  let revocations = RevocationList.EMPTY;
  let policy: Policy = ALLOW_ALL;
  const isRevoked = (p: Peer) => revocations.isRevoked(p);
  const revocationWatch = watchRevocations({
    listPath: config.revocationFile,
    crlPath: `${config.certsDir}/crl.pem`,
    signerCaPem: o.signerCaPem,
    log,
    onChange: (list) => {
      revocations = list;
      const closed = o.relay()?.enforceRevocations(isRevoked) ?? 0;
      const ended = endStreams((p) => !isRevoked(p), "revoked");
      if (closed || ended) log("revocations-enforced", { closed, streams: ended });
      o.onRevocations?.();
    },
  });
  cleanups.push(() => revocationWatch.close());

  if (config.policyFile) {
    const path = config.policyFile;
    const policyWatch = watchParsed(
      path,
      (text) => {
        if (text === null) throw new Error("file missing");
        return parsePolicy(text, o.isSerial);
      },
      (next) => {
        policy = next;
        log("policy", { path, policy: next.describe(), roles: next.describeRoles() });
        // Viewers' bus subscriptions are their only frame filter: bring them in step.
        const relay = o.relay();
        relay?.policyChanged();
        relay?.groupsChanged();
        endStreams((p, serial) => next.allows(p.cn, serial), "policy");
      },
      { log, event: "policy", label: "policy file" },
    );
    cleanups.push(() => policyWatch.close());
  }

  return {
    isRevoked,
    canSee: (viewer, serial) => policy.allows(viewer, serial),
    policy: () => policy,
  };
}
