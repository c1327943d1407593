/**
 * Bad flags or values on any command line (the hub, `certs`, `cameras`): each command prints
 * the message and a `--help` hint and exits 2.
 */
export class UsageError extends Error {
  override name = "UsageError";
}
