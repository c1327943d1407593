/**
 * Every error the hub raises, with a stable code. `hub/` turns them into HTTP statuses and
 * WebSocket close codes through {@link httpStatusOf} and {@link closeCodeOf} only, so the
 * table in docs/protocol.md has exactly one implementation.
 */

export const ERROR_CODES = {
  // Device-side only: a bad frame is dropped without an answer, never an HTTP response.
  TC_ERR_BAD_FRAME: { status: undefined, close: undefined },
  TC_ERR_FRAME_TOO_LARGE: { status: 413, close: 1009 },
  TC_ERR_TOO_MANY_BAD: { status: undefined, close: 1003 },
  TC_ERR_BAD_CONTROL: { status: 400, close: undefined },
  TC_ERR_BAD_REQUEST: { status: 400, close: undefined },
  TC_ERR_BAD_NAME: { status: 400, close: undefined },
  TC_ERR_CONTROL_RATE: { status: 429, close: 1008 },
  TC_ERR_RATE: { status: 429, close: undefined },
  TC_ERR_WRONG_ROLE: { status: 403, close: 1008 },
  TC_ERR_REVOKED: { status: 403, close: 1008 },
  TC_ERR_FORBIDDEN: { status: 403, close: undefined },
  TC_ERR_ORIGIN: { status: 403, close: undefined },
  TC_ERR_CERTIFICATE_REQUIRED: { status: 403, close: undefined },
  TC_ERR_BAD_SERIAL: { status: 400, close: undefined },
  TC_ERR_BAD_TIME: { status: 400, close: undefined },
  TC_ERR_BAD_RANGE: { status: 400, close: undefined },
  TC_ERR_BAD_SPEED: { status: 400, close: undefined },
  TC_ERR_RANGE_TOO_LONG: { status: 400, close: undefined },
  TC_ERR_EXPORT_LIMIT: { status: 429, close: undefined },
  TC_ERR_EXPORT_NOT_READY: { status: 409, close: undefined },
  TC_ERR_EXPORT_FAILED: { status: 500, close: undefined },
  TC_ERR_NOT_FOUND: { status: 404, close: undefined },
  TC_ERR_BODY_TOO_LARGE: { status: 413, close: undefined },
  TC_ERR_METHOD: { status: 405, close: undefined },
  TC_ERR_REPLACED: { status: undefined, close: 4000 },
  TC_ERR_SHUTDOWN: { status: 503, close: 1001 },
  TC_ERR_INTERNAL: { status: 500, close: 1011 },
  TC_ERR_REPLAY_LIMIT: { status: 429, close: undefined },
  TC_ERR_FRAME_TIMEOUT: { status: 504, close: undefined },
  TC_ERR_BAD_PREFS: { status: 400, close: undefined },
  TC_ERR_CAMERA_ONLINE: { status: 409, close: undefined },
} as const satisfies Record<string, { status: number | undefined; close: number | undefined }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable code; its message is safe to show to the peer. */
export class TrustcamError extends Error {
  override name = "TrustcamError";
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The HTTP status for an error; anything not a TrustcamError is a 500. */
export function httpStatusOf(err: unknown): number {
  return err instanceof TrustcamError ? ERROR_CODES[err.code].status ?? 500 : 500;
}

/** The WebSocket close code for an error, or undefined when it does not close. */
export function closeCodeOf(err: unknown): number | undefined {
  return err instanceof TrustcamError ? ERROR_CODES[err.code].close : 1011;
}

/** The JSON body of an HTTP error response and of a viewer `error` message. */
export function errorBody(err: unknown): { code: ErrorCode; message: string } {
  return err instanceof TrustcamError
    ? { code: err.code, message: err.message }
    : { code: "TC_ERR_INTERNAL", message: "Internal error" };
}
