/**
 * Long-lived HTTP responses (MJPEG today) by peer and camera, so that a revocation or a
 * policy change ends them as it closes WebSockets: a response that keeps streaming after its
 * certificate was revoked would be a door left open.
 */
import type { Peer } from "./peer.ts";

export interface OpenStream {
  peer: Peer;
  serial: string;
  /** Ends the response; `why` is for the log. Called at most once. */
  end(why: string): void;
}

export class StreamRegistry {
  #open = new Set<OpenStream>();

  /** Registers a stream; the returned function unregisters it (call it when it ends). */
  open(stream: OpenStream): () => void {
    this.#open.add(stream);
    return () => this.#open.delete(stream);
  }

  /** Streams open now (leak checks, /metrics). */
  get size(): number {
    return this.#open.size;
  }

  /** Ends every stream that `allowed` refuses now; returns them, for the log. */
  enforce(allowed: (peer: Peer, serial: string) => boolean, why: string): OpenStream[] {
    const ended: OpenStream[] = [];
    for (const s of [...this.#open]) {
      if (allowed(s.peer, s.serial)) continue;
      this.#open.delete(s);
      ended.push(s);
      s.end(why);
    }
    return ended;
  }
}
