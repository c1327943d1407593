/**
 * One camera's connection: its JPEG frames go onto the bus, its status messages into the
 * registry, and bad messages count towards the 1003 close (docs/protocol.md, "Device to hub").
 * The relay owns the map of devices; this session owns everything about one socket.
 */
import type { WebSocket } from "ws";
import type { BusFrame } from "../lib/bus.ts";
import { type ErrorCode, TrustcamError } from "../lib/errors.ts";
import { checkFrame, frameProblemCode } from "../lib/frame_check.ts";
import { buildViewerFrame } from "../lib/trailer.ts";
import { parseDeviceStatus } from "../lib/device_status.ts";
import { MAX_TEXT_BYTES, TokenBucket } from "../lib/control.ts";
import type { Peer } from "../lib/peer.ts";
import {
  type CameraCounters,
  closeSession,
  frameTooLarge,
  OPEN,
  reportSocketError,
  type Session,
  type SessionContext,
} from "./session.ts";

export class DeviceSession implements Session {
  readonly ws: WebSocket;
  readonly peer: Peer;
  /** The certificate's CN, canonical: the only identity a device has. */
  readonly serial: string;
  missedPongs = 0;
  #ctx: SessionContext;
  #badInRow = 0;
  #text: TokenBucket;
  #frames: TokenBucket;
  #counters: CameraCounters;

  /** `onClose` runs once the socket has closed, after the disconnect is logged. */
  constructor(
    ctx: SessionContext,
    ws: WebSocket,
    peer: Peer,
    onClose: (s: DeviceSession) => void,
  ) {
    this.#ctx = ctx;
    this.ws = ws;
    this.peer = peer;
    this.serial = peer.cn;
    this.#text = new TokenBucket(ctx.deviceTextRate.perSec, ctx.deviceTextRate.burst);
    // One second's worth of burst: a camera's jitter passes, a flood is cut to --max-fps.
    this.#frames = new TokenBucket(ctx.maxFps, Math.max(1, ctx.maxFps));
    this.#counters = ctx.countersFor(this.serial);

    ws.on("message", (data: Uint8Array, isBinary: boolean) => {
      // Messages already read when the hub decided to close are not processed.
      if (ws.readyState !== OPEN) return;
      if (isBinary) this.#onFrame(data);
      else this.#onText(data);
    });
    ws.on("pong", () => this.missedPongs = 0);
    ws.on("error", (err: Error & { code?: string }) => reportSocketError(ctx, this, err));
    ws.on("close", (code: number, reason: Uint8Array) => {
      ctx.log("disconnect", {
        role: "device",
        cn: peer.cn,
        serial: this.serial,
        addr: peer.remoteAddress,
        code,
        reason: new TextDecoder().decode(reason) || undefined,
      });
      onClose(this);
    });
  }

  /** Closes the socket for `err` (replaced, revoked, shutdown). */
  close(err: TrustcamError, metricReason: string): void {
    closeSession(this.#ctx, this, err, metricReason);
  }

  #onFrame(data: Uint8Array): void {
    const ctx = this.#ctx;
    const fault = checkFrame(data, ctx.frameLimits);
    if (fault) {
      ctx.metrics.framesBad.inc({ serial: this.serial, reason: fault.problem });
      if (fault.problem === "too_large") {
        // Only when the listener's maxPayload is above maxFrameBytes; the same rule either way.
        ctx.registry.bad(this.serial);
        closeSession(ctx, this, frameTooLarge(), "too_large");
        return;
      }
      this.#bad(frameProblemCode(fault.problem), fault.text);
      return;
    }
    // A good frame over the rate is dropped, not bad: the device is only too eager.
    if (!this.#frames.take(ctx.now())) {
      this.#badInRow = 0;
      this.#counters.dropped.inc();
      return;
    }
    this.#badInRow = 0;
    const serial = this.serial;
    const frame: BusFrame = {
      serial,
      data: buildViewerFrame(data, serial),
      jpegLength: data.byteLength,
      receivedAt: ctx.now(),
    };
    this.#counters.framesIn.inc();
    this.#counters.bytesIn.inc(data.byteLength);
    if (ctx.registry.frame(serial, data.byteLength)) {
      const info = ctx.registry.get(serial);
      if (info) ctx.announce(serial, "online", info);
    }
    ctx.bus.publishFrame(frame);
  }

  #onText(data: Uint8Array): void {
    const ctx = this.#ctx;
    if (!this.#text.take(ctx.now())) {
      ctx.metrics.framesBad.inc({ serial: this.serial, reason: "text_rate" });
      this.#bad("TC_ERR_BAD_CONTROL", "Too many text messages");
      return;
    }
    if (data.byteLength > MAX_TEXT_BYTES) {
      ctx.metrics.framesBad.inc({ serial: this.serial, reason: "text_too_large" });
      this.#bad(
        "TC_ERR_BAD_CONTROL",
        `Text message too large: ${data.byteLength} bytes > ${MAX_TEXT_BYTES}`,
      );
      return;
    }
    const text = new TextDecoder().decode(data);
    try {
      const status = parseDeviceStatus(text, new Date());
      this.#badInRow = 0;
      ctx.announce(this.serial, "status", ctx.registry.status(this.serial, status));
      return;
    } catch (err) {
      if (looksLikeViewerCommand(text)) {
        closeSession(
          ctx,
          this,
          new TrustcamError("TC_ERR_WRONG_ROLE", "Devices cannot watch"),
          "wrong_role",
        );
        return;
      }
      ctx.metrics.framesBad.inc({ serial: this.serial, reason: "bad_text" });
      this.#bad(
        err instanceof TrustcamError ? err.code : "TC_ERR_BAD_CONTROL",
        err instanceof Error ? err.message : String(err),
      );
    }
  }

  /** Counts a bad message; `code` and `why` describe the last one in the close log. */
  #bad(code: ErrorCode, why: string): void {
    this.#ctx.registry.bad(this.serial);
    if (++this.#badInRow >= this.#ctx.maxBadInRow) {
      closeSession(
        this.#ctx,
        this,
        new TrustcamError("TC_ERR_TOO_MANY_BAD", "Too many bad messages"),
        "too_many_bad",
        `${code}: ${why}`,
      );
    }
  }
}

function looksLikeViewerCommand(text: string): boolean {
  try {
    const o = JSON.parse(text);
    return ["subscribe", "unsubscribe", "play", "pause", "live"].includes(o?.type);
  } catch {
    return false;
  }
}
