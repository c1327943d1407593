/**
 * The `status` message a device sends every 10 s (docs/protocol.md, "Device to hub:
 * `status`"). The firmware, the simulated cameras and the hub share this one definition.
 */
import { TrustcamError } from "./errors.ts";
import { parseControlObject } from "./text_message.ts";
import { quote } from "./quote.ts";

export interface DeviceStatus {
  fw?: string;
  uptime_s?: number;
  heap_free?: number;
  psram_free?: number;
  rssi_dbm?: number;
  frames_sent?: number;
  frames_skipped?: number;
  /** ISO time the hub received it. */
  at: string;
}

/** Longest `fw` string, in characters. */
export const MAX_FW_LENGTH = 64;

/** The integer fields, and whether each may be negative. */
const INTEGER_FIELDS = [
  ["uptime_s", false],
  ["heap_free", false],
  ["psram_free", false],
  ["rssi_dbm", true],
  ["frames_sent", false],
  ["frames_skipped", false],
] as const;

function bad(message: string): TrustcamError {
  return new TrustcamError("TC_ERR_BAD_CONTROL", message);
}

/**
 * Validates a device's text message as a status. Throws TC_ERR_BAD_CONTROL (the hub counts
 * it as `bad`) for an oversized text, bad JSON, a type other than "status" or a mistyped
 * field. Unknown fields are dropped, so the result holds only documented fields.
 */
export function parseDeviceStatus(text: string, now: Date): DeviceStatus {
  const msg = parseControlObject(text, "Status message");
  if (msg.type !== "status") {
    throw bad(
      msg.type === undefined
        ? "Device message has no type"
        : `Unknown device message type: ${quote(msg.type)}`,
    );
  }
  const out: DeviceStatus = { at: now.toISOString() };
  const fw = msg.fw;
  if (fw !== undefined) {
    if (typeof fw !== "string") throw bad(`Invalid status field fw: ${quote(fw)} is not a string`);
    const length = [...fw].length;
    if (length > MAX_FW_LENGTH) {
      throw bad(`Invalid status field fw: ${quote(fw)} is ${length} characters > ${MAX_FW_LENGTH}`);
    }
    out.fw = fw;
  }
  for (const [name, signed] of INTEGER_FIELDS) {
    const v = msg[name];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || (!signed && v < 0)) {
      throw bad(
        `Invalid status field ${name}: ${quote(v)} is not ${
          signed ? "an integer" : "an integer >= 0"
        }`,
      );
    }
    out[name] = v;
  }
  return out;
}
