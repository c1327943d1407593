/** The page's link to the hub, in words: quiet while live, explicit while reconnecting. */
import type { SocketStatus } from "../lib/client/viewer_socket.ts";

export function ConnectionStatus(
  { status, retryAt, now }: { status: SocketStatus; retryAt?: number; now: number },
) {
  if (status === "open") {
    return (
      <p role="status" class="text-xs text-neutral-400" data-connection="open">
        <span aria-hidden="true" class="text-emerald-400">●</span> Live
      </p>
    );
  }
  if (status === "reconnecting") {
    const s = retryAt ? Math.max(0, Math.ceil((retryAt - now) / 1000)) : 0;
    return (
      <p
        role="status"
        class="rounded-md bg-amber-900 px-3 py-2 text-sm text-amber-100 ring-1 ring-amber-700"
        data-connection="reconnecting"
      >
        <span aria-hidden="true">◐</span> Connection to the hub lost. Reconnecting…
        {/* The countdown changes every second: shown, not announced. */}
        {s > 0 && <span aria-hidden="true">(next try in {s} s)</span>}
      </p>
    );
  }
  return (
    <p role="status" class="text-xs text-neutral-400" data-connection={status}>
      {status === "closed" ? "Disconnected" : "Connecting…"}
    </p>
  );
}
