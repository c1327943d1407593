/**
 * Which TCP connections the hub takes before a byte of TLS: at most `maxConnections` open
 * at once (so accept() never meets the file-descriptor limit), and per remote address at
 * most `maxHandshakesPerAddress` that have not finished their TLS handshake (so one source
 * of half-open connections cannot take every slot). Pure bookkeeping: the listener
 * (hub/connection_limits.ts) asks, closes what is refused and reports back.
 */

export type Refusal = "too_many_connections" | "too_many_handshakes";

export interface AdmissionLimits {
  /** Open connections at most, TLS finished or not. */
  maxConnections: number;
  /** Unfinished handshakes per address at most; 0 turns the per-address cap off. */
  maxHandshakesPerAddress: number;
}

/** One admitted connection. Both calls are idempotent. */
export interface Ticket {
  /** The address bucket it counts against (see {@link addressKey}). */
  readonly key: string;
  /** The TLS handshake finished: it no longer counts against its address. */
  settle(): void;
  /** The connection closed. */
  release(): void;
}

export class Admission {
  #open = 0;
  #pending = new Map<string, number>();

  constructor(readonly limits: AdmissionLimits) {}

  /** Connections admitted and not yet released. */
  get open(): number {
    return this.#open;
  }

  /** Admitted connections from `key` whose handshake has not finished. */
  pendingFrom(key: string): number {
    return this.#pending.get(key) ?? 0;
  }

  /** Addresses with at least one unfinished handshake. */
  get pendingAddresses(): number {
    return this.#pending.size;
  }

  /** A ticket for a new connection from `key`, or why it must be closed at once. */
  admit(key: string): Ticket | Refusal {
    const perAddress = this.limits.maxHandshakesPerAddress;
    if (perAddress > 0 && this.pendingFrom(key) >= perAddress) return "too_many_handshakes";
    if (this.#open >= this.limits.maxConnections) return "too_many_connections";
    this.#open++;
    this.#pending.set(key, this.pendingFrom(key) + 1);
    let pending = true;
    let open = true;
    const settle = () => {
      if (!pending) return;
      pending = false;
      const n = this.pendingFrom(key) - 1;
      if (n > 0) this.#pending.set(key, n);
      else this.#pending.delete(key);
    };
    return {
      key,
      settle,
      release: () => {
        if (!open) return;
        open = false;
        settle();
        this.#open--;
      },
    };
  }
}

/**
 * The bucket an address counts against: IPv4 as is (also when IPv4-mapped), IPv6 by its /64,
 * the smallest block one subscriber is usually given, so rotating addresses within it does
 * not multiply the allowance. Anything unparsable (or absent) is its own bucket.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return "unknown";
  const a = address.toLowerCase().replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1];
  if (!a.includes(":")) return a;
  const groups = expandIpv6(a);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : a;
}

/** The eight hextets of an IPv6 address (without leading zeros), or null. */
function expandIpv6(a: string): string[] | null {
  const halves = a.split("::");
  if (halves.length > 2) return null;
  const part = (s: string) => {
    if (s === "") return [];
    const out: string[] = [];
    for (const g of s.split(":")) {
      if (/^\d+\.\d+\.\d+\.\d+$/.test(g)) {
        const [b0, b1, b2, b3] = g.split(".").map(Number);
        out.push(((b0 << 8) | b1).toString(16), ((b2 << 8) | b3).toString(16));
      } else if (/^[0-9a-f]{1,4}$/.test(g)) out.push(parseInt(g, 16).toString(16));
      else return null;
    }
    return out;
  };
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [...head, ...Array(missing).fill("0"), ...tail];
}
