/**
 * Same-serial replacement across hubs (issue 13): the KV side of lib/session_claims.ts. Each
 * device session a hub opens is claimed in the JetStream KV bucket `trustcam_sessions` under
 * its camera's key; every hub watches the bucket, and a hub whose session another hub's later
 * claim overtook closes it with 4000 (TC_ERR_REPLACED), as the relay does within one hub.
 *
 * NATS away: nothing waits for it. Devices connect and are replaced within their hub as
 * always; a claim that cannot be written is dropped. When a connection is back (the first, a
 * reconnect, or a new one after nats.js gave up), the hub watches the bucket afresh and writes
 * the claims of the sessions it holds again, first reading the bucket: a session that began on
 * another hub meanwhile replaces ours, an older one is replaced by ours.
 */
import type { KV, KvEntry } from "@nats-io/kv";
import {
  type Claim,
  type ClaimAction,
  ClaimBook,
  claimKey,
  decodeClaim,
  encodeClaim,
  serialOfClaimKey,
  SESSIONS_BUCKET,
} from "../lib/session_claims.ts";
import type { NatsLink } from "./nats_link.ts";
import type { Log } from "./log.ts";
import { KV_TIMEOUT_MS, KvFollower } from "./kv_follower.ts";

export interface ClusterSessionsOptions {
  link: NatsLink;
  /** This hub's id, as the bus's. */
  hubId: string;
  log: Log;
  /**
   * Closes this hub's session `session` of `serial` with 4000, if it still holds it: hub `by`
   * claimed the camera since.
   */
  replace(serial: string, session: string, by: string): void;
  /** Wall clock of `since` (ms); `Date.now` by default. */
  now?: () => number;
}

/** What the relay tells of its device sessions (see `RelayOptions.sessions`). */
export interface DeviceClaims {
  /** A device connected: returns the session's id. */
  opened(serial: string): string;
  /** The session `session` of `serial` closed. */
  closed(serial: string, session: string): void;
}

export class ClusterSessions implements DeviceClaims {
  #o: ClusterSessionsOptions;
  #book: ClaimBook;
  #kv: KvFollower;
  #closing = false;
  #now: () => number;

  constructor(o: ClusterSessionsOptions) {
    this.#o = o;
    this.#book = new ClaimBook(o.hubId);
    this.#now = o.now ?? Date.now;
    this.#kv = new KvFollower({
      link: o.link,
      bucket: SESSIONS_BUCKET,
      name: "sessions",
      log: o.log,
      // After each (re)connect: the claims of the sessions held here, checked against the
      // bucket first.
      ready: (kv) => {
        for (const { serial, claim } of this.#book.restore()) {
          this.#kv.track(this.#restore(kv, serial, claim));
        }
      },
      entry: (e, kv) => this.#entry(e, kv),
    });
  }

  opened(serial: string): string {
    const session = crypto.randomUUID();
    const claim = this.#book.hold(serial, session, this.#now());
    const kv = this.#kv.kv;
    if (kv) this.#kv.track(this.#write(kv, serial, claim));
    return session;
  }

  closed(serial: string, session: string): void {
    const revision = this.#book.revisionOf(serial, session);
    if (!this.#book.release(serial, session)) return;
    const kv = this.#kv.kv;
    if (!kv || revision === null) return;
    // Only our own claim: another hub's later one stays.
    this.#kv.track(
      kv.delete(claimKey(serial), { previousSeq: revision }).catch(() => {
        // Overtaken meanwhile, or NATS away: nothing of ours is there to delete.
      }),
    );
  }

  /** Cameras whose sessions this hub holds (tests). */
  get serials(): string[] {
    return this.#book.serials();
  }

  close(): Promise<void> {
    this.#closing = true;
    return this.#kv.close();
  }

  #entry(e: KvEntry, kv: KV): void {
    if (e.operation !== "PUT") return;
    const serial = serialOfClaimKey(e.key);
    if (serial === null) throw new RangeError(`Bad session key: "${e.key}"`);
    this.#act(kv, this.#book.seen(serial, decodeClaim(e.value), e.revision));
  }

  async #write(kv: KV, serial: string, claim: Claim): Promise<void> {
    try {
      const revision = await kv.put(claimKey(serial), encodeClaim(claim), {
        timeout: KV_TIMEOUT_MS,
      });
      this.#act(kv, this.#book.written(serial, claim.session, revision));
    } catch (err) {
      // Written again when the link is back (restore), if the session is still ours.
      this.#o.log("cluster-error", { where: "sessions-write", serial, error: err });
    }
  }

  async #restore(kv: KV, serial: string, claim: Claim): Promise<void> {
    try {
      const e = await kv.get(claimKey(serial));
      const current = e && e.operation === "PUT" ? decodeClaim(e.value) : null;
      const action = this.#book.current(serial, current);
      if (action) return this.#act(kv, action);
    } catch (err) {
      this.#o.log("cluster-error", { where: "sessions-read", serial, error: err });
      return;
    }
    await this.#write(kv, serial, claim);
  }

  #act(kv: KV, action: ClaimAction | null): void {
    if (!action || this.#closing) return;
    if (action.kind === "replace") {
      this.#o.replace(action.serial, action.session, action.by);
      return;
    }
    const claim = this.#book.again(action.serial, action.session);
    if (claim) this.#kv.track(this.#write(kv, action.serial, claim));
  }
}
