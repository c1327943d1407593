/**
 * The framework's own error: a status and a message safe to show. The router throws it for
 * an unknown path or method; the app maps it onto its own error table, so lib/web knows no
 * application codes.
 */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(readonly status: number, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
