/**
 * The page's link to the hub, in words: quiet while live, explicit while reconnecting, with
 * when it was lost and a way to try again now rather than wait out the delay.
 */
import type { SocketStatus } from "../lib/client/viewer_socket.ts";
import { formatClock } from "../lib/client/format.ts";

export interface ConnectionStatusProps {
  status: SocketStatus;
  /** Date.now() ms of the next attempt, while reconnecting. */
  retryAt?: number;
  /** Date.now() ms the link was lost, while reconnecting. */
  lostAt?: number;
  now: number;
  /** "Retry now"; without it, no button. */
  onRetry?: () => void;
}

export function ConnectionStatus({ status, retryAt, lostAt, now, onRetry }: ConnectionStatusProps) {
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
      <div
        class="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-md bg-amber-900 px-3 py-2 text-sm text-amber-100 ring-1 ring-amber-700"
        data-connection="reconnecting"
      >
        <p role="status">
          <span aria-hidden="true">◐</span> Connection to the hub lost
          {lostAt !== undefined && <>{" "}at {formatClock(lostAt, now)}</>}. Reconnecting…
          {/* The countdown changes every second: shown, not announced. */}
          {s > 0 && <span aria-hidden="true" data-next-try="">{` (next try in ${s} s)`}</span>}
        </p>
        {onRetry && (
          <button
            type="button"
            onClick={onRetry}
            class="rounded bg-amber-700 px-2 py-0.5 text-xs font-medium text-amber-50 hover:bg-amber-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
            data-action="retry"
          >
            Retry now
          </button>
        )}
      </div>
    );
  }
  return (
    <p role="status" class="text-xs text-neutral-400" data-connection={status}>
      {status === "closed" ? "Disconnected" : "Connecting…"}
    </p>
  );
}
