/**
 * Which hub holds each camera's session, cluster-wide (issue 13): every hub writes a claim
 * under the camera's key in a JetStream KV bucket when a device connects, and watches the
 * bucket; a hub holding a session whose claim a later one from another hub overtook closes
 * it with 4000 (TC_ERR_REPLACED), as a hub does within itself. The KV I/O is in
 * hub/cluster_sessions.ts; this module is the pure part: key and value formats and the
 * {@link ClaimBook} that decides which local session is replaced.
 *
 * Order is the KV's revision order, not clocks: a claim replaces a session whose own claim has
 * a lower revision. A claim made before NATS was reachable has no revision yet; it is written
 * when the link is back, marked `restored`, and there the connect times decide: a restored
 * claim older than the session a hub holds does not replace it, that hub writes its claim again
 * instead (see {@link ClaimBook.seen}).
 */

/** The bucket of session claims, one key per camera. */
export const SESSIONS_BUCKET = "trustcam_sessions";

export interface Claim {
  /** The id of the hub that holds the session. */
  hub: string;
  /** The session's id, unique per connection. */
  session: string;
  /** Wall-clock ms when the device connected. */
  since: number;
  /** Written again after the link came back, not at connect. */
  restored?: boolean;
}

/**
 * A serial as a KV key: keys allow only `[-/_=.a-zA-Z0-9]`, and a custom `--serial-pattern`
 * may allow more, so anything else (and `=`, the escape) becomes `=XXXX` per UTF-16 unit. The
 * default serials (hex) pass unchanged.
 */
export function claimKey(serial: string): string {
  if (serial === "") throw new RangeError(`Serial must not be empty: "${serial}"`);
  return serial.replace(
    /[^-_a-zA-Z0-9]/g,
    (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`,
  );
}

/** The inverse of {@link claimKey}; null for a key no serial encodes to. */
export function serialOfClaimKey(key: string): string | null {
  if (!/^(?:[-_a-zA-Z0-9]|=[0-9A-F]{4})+$/.test(key)) return null;
  const serial = key.replace(/=([0-9A-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  return claimKey(serial) === key ? serial : null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeClaim(claim: Claim): Uint8Array {
  return encoder.encode(JSON.stringify(claim));
}

/** A claim read from the bucket; throws SyntaxError or TypeError when it is not one. */
export function decodeClaim(data: Uint8Array): Claim {
  const text = decoder.decode(data);
  const o = JSON.parse(text);
  if (
    o === null || typeof o !== "object" || typeof o.hub !== "string" ||
    typeof o.session !== "string" || typeof o.since !== "number"
  ) {
    throw new TypeError(`Not a session claim: "${text.slice(0, 80)}"`);
  }
  return { hub: o.hub, session: o.session, since: o.since, restored: o.restored === true };
}

/** What the hub does after a claim is seen or written. */
export type ClaimAction =
  | { kind: "replace"; serial: string; session: string; by: string }
  | { kind: "reassert"; serial: string; session: string };

interface Held {
  session: string;
  since: number;
  /** The revision of our claim in the bucket; null while it is being written. */
  revision: number | null;
  /** The highest revision of another hub's claim seen while ours was being written. */
  overtaken: number;
  /** That claim's hub. */
  overtakenBy: string;
  /** The same for restored claims older than our session, which ours must overtake. */
  undercut: number;
}

/** This hub's sessions and the claims that concern them. */
export class ClaimBook {
  readonly hub: string;
  #held = new Map<string, Held>();

  constructor(hub: string) {
    this.hub = hub;
  }

  /** A device connected here: its claim is to be written. Returns the claim. */
  hold(serial: string, session: string, since: number): Claim {
    this.#held.set(serial, {
      session,
      since,
      revision: null,
      overtaken: 0,
      overtakenBy: "",
      undercut: 0,
    });
    return { hub: this.hub, session, since };
  }

  /** The device's session ended here; false when another session holds the serial now. */
  release(serial: string, session: string): boolean {
    if (this.#held.get(serial)?.session !== session) return false;
    this.#held.delete(serial);
    return true;
  }

  /** The revision of the claim held for `serial` by `session`, or null. */
  revisionOf(serial: string, session: string): number | null {
    const h = this.#held.get(serial);
    return h?.session === session ? h.revision : null;
  }

  /**
   * Our claim was written at `revision`. A replace when another hub's claim got a later
   * revision meanwhile (its watch entry came first).
   */
  written(serial: string, session: string, revision: number): ClaimAction | null {
    const h = this.#held.get(serial);
    if (h?.session !== session) return null;
    h.revision = revision;
    if (h.overtaken > revision) {
      this.#held.delete(serial);
      return { kind: "replace", serial, session, by: h.overtakenBy };
    }
    return h.undercut > revision ? { kind: "reassert", serial, session } : null;
  }

  /** The claim of `session` to write again (a reassert), or null when it is not held now. */
  again(serial: string, session: string): Claim | null {
    const h = this.#held.get(serial);
    if (h?.session !== session) return null;
    h.revision = null;
    h.overtaken = 0;
    h.undercut = 0;
    return { hub: this.hub, session, since: h.since };
  }

  /** Our claims are to be written again (the link is back): they have no revision now. */
  restore(): Array<{ serial: string; claim: Claim }> {
    const out = [];
    for (const [serial, h] of this.#held) {
      h.revision = null;
      h.overtaken = 0;
      h.undercut = 0;
      const claim = { hub: this.hub, session: h.session, since: h.since, restored: true };
      out.push({ serial, claim });
    }
    return out;
  }

  /**
   * Before a restored claim is written: the claim in the bucket now (null: none). Another
   * hub's session that began after ours replaced ours while the link was down.
   */
  current(serial: string, claim: Claim | null): ClaimAction | null {
    const h = this.#held.get(serial);
    if (!h || !claim || claim.hub === this.hub || claim.since <= h.since) return null;
    this.#held.delete(serial);
    return { kind: "replace", serial, session: h.session, by: claim.hub };
  }

  /** A claim in the bucket at `revision` (from the watch, or read before a restore). */
  seen(serial: string, claim: Claim, revision: number): ClaimAction | null {
    const h = this.#held.get(serial);
    if (!h || claim.hub === this.hub) return null;
    if (claim.restored && claim.since < h.since) {
      // A session from before an outage, older than ours: ours stands, and says so again.
      if (h.revision === null) {
        h.undercut = Math.max(h.undercut, revision);
        return null;
      }
      return h.revision > revision ? null : { kind: "reassert", serial, session: h.session };
    }
    if (h.revision === null) {
      if (revision > h.overtaken) {
        h.overtaken = revision;
        h.overtakenBy = claim.hub;
      }
      return null;
    }
    if (revision <= h.revision) return null;
    this.#held.delete(serial);
    return { kind: "replace", serial, session: h.session, by: claim.hub };
  }

  /** The serials with a session here. */
  serials(): string[] {
    return [...this.#held.keys()];
  }
}
