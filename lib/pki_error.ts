/** Codes of {@link PkiError}; `deno task certs` and the demo bootstrap branch on them. */
export type PkiErrorCode =
  | "PKI_EXISTS"
  | "PKI_NO_CA"
  | "PKI_BAD_NAME"
  | "PKI_BAD_SERIAL"
  | "PKI_BAD_HOST"
  | "PKI_BAD_KEY"
  | "PKI_BAD_REVOCATIONS"
  | "PKI_BANNED"
  | "PKI_NOT_FOUND";

/** A PKI failure with a stable code; the message is meant for the operator. */
export class PkiError extends Error {
  override name = "PkiError";
  readonly code: PkiErrorCode;
  constructor(code: PkiErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
