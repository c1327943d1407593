/**
 * Start-up failure with the file at fault (a certificate, the policy, the revocation list,
 * the port): main.ts prints the message and exits 1, where a stack trace would help no one.
 */
export class HubStartError extends Error {
  override name = "HubStartError";
  constructor(message: string, readonly path?: string, options?: ErrorOptions) {
    super(message, options);
  }
}
