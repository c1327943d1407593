/**
 * When the page's WebSocket connects again, when it first asks the hub why it failed, and
 * when it gives up for good. Pure: events in, actions out; lib/client/viewer_socket.ts owns
 * the socket, the timer and the probe and feeds their outcomes back.
 *
 * A close that states a revoked certificate ends the link at once. A close that states
 * nothing (1006, or a socket that never opened: the hub refuses a revoked certificate's
 * upgrade before the WebSocket exists) starts one probe beside the backoff delay, and the
 * next attempt waits for both, so a page whose certificate is revoked makes no attempt after
 * the one that learned it. Closes that explain themselves (1001 "Hub shutting down") only
 * wait out the backoff, as before.
 */
import { backoffDelay, type BackoffOptions } from "../backoff.ts";
import { type AccessProblem, problemOfClose } from "./access_probe.ts";

export type LinkPhase =
  /** Not started. */
  | "idle"
  /** A socket is being opened. */
  | "connecting"
  | "open"
  /** Between attempts: the backoff delay and/or a probe are running. */
  | "waiting"
  /** The hub refuses this certificate: no more attempts. */
  | "ended"
  /** Closed by the page. */
  | "stopped";

export interface LinkState {
  readonly phase: LinkPhase;
  /** Backoff index of the next failure; the hub's hello resets it. */
  readonly attempt: number;
  /** waiting: the backoff delay has not elapsed yet. */
  readonly delaying: boolean;
  /** waiting: a probe is in flight. */
  readonly probing: boolean;
  /** ended: why. */
  readonly problem?: AccessProblem;
}

export type LinkEvent =
  | { type: "start" }
  | { type: "opened" }
  /** The hub's hello: this connection was accepted. */
  | { type: "accepted" }
  | { type: "closed"; code: number; reason: string }
  /** The backoff delay elapsed. */
  | { type: "delayed" }
  /** The probe settled: the problem the hub stated, or null. */
  | { type: "probed"; problem: AccessProblem | null }
  /** The user asked to retry now ("Retry now", or the browser came back online). */
  | { type: "retry" }
  | { type: "stop" };

export type LinkAction =
  /** Open a socket; `retry`: not the page's first. */
  | { type: "connect"; retry: boolean }
  /** Start the backoff delay; report "delayed" when it elapses. */
  | { type: "wait"; delayMs: number }
  /** Start a probe; report "probed" when it settles. */
  | { type: "probe" }
  /** Drop the delay and the probe, if running. */
  | { type: "cancel" }
  /** Drop the backoff delay only; a probe in flight goes on. */
  | { type: "skip" }
  /** Tell the page why it stopped. */
  | { type: "end"; problem: AccessProblem };

export interface LinkOptions {
  backoff?: BackoffOptions;
  /** Whether a probe is available; without one, failures only back off. */
  probes: boolean;
}

export const INITIAL_LINK: LinkState = {
  phase: "idle",
  attempt: 0,
  delaying: false,
  probing: false,
};

/** Attempts past this share the capped delay; the index stays small. */
const MAX_ATTEMPT = 30;

/** The next state and what to do; events that do not apply leave the state as it is. */
export function stepLink(
  s: LinkState,
  e: LinkEvent,
  o: LinkOptions,
): [LinkState, LinkAction[]] {
  if (s.phase === "ended" || s.phase === "stopped") return [s, []];
  switch (e.type) {
    case "start":
      if (s.phase !== "idle") return [s, []];
      return [{ ...s, phase: "connecting" }, [{ type: "connect", retry: false }]];
    case "stop":
      return [{ ...s, phase: "stopped", delaying: false, probing: false }, [{ type: "cancel" }]];
    case "opened":
      return s.phase === "connecting" ? [{ ...s, phase: "open" }, []] : [s, []];
    case "accepted":
      return s.phase === "open" ? [{ ...s, attempt: 0 }, []] : [s, []];
    case "closed": {
      if (s.phase !== "connecting" && s.phase !== "open") return [s, []];
      const problem = problemOfClose(e.code, e.reason);
      if (problem) return ended(s, problem);
      const delayMs = backoffDelay(s.attempt, o.backoff);
      // The browser hides why an upgrade failed: 1006, whatever the hub answered.
      const probe = o.probes && (s.phase === "connecting" || e.code === 1006);
      const next: LinkState = {
        ...s,
        phase: "waiting",
        attempt: Math.min(s.attempt + 1, MAX_ATTEMPT),
        delaying: true,
        probing: probe,
      };
      const actions: LinkAction[] = [{ type: "wait", delayMs }];
      if (probe) actions.push({ type: "probe" });
      return [next, actions];
    }
    case "delayed":
      if (s.phase !== "waiting" || !s.delaying) return [s, []];
      return s.probing ? [{ ...s, delaying: false }, []] : retry(s);
    case "probed":
      if (s.phase !== "waiting" || !s.probing) return [s, []];
      if (e.problem) return ended(s, e.problem);
      return s.delaying ? [{ ...s, probing: false }, []] : retry(s);
    case "retry": {
      if (s.phase !== "waiting" || !s.delaying) return [s, []];
      // A probe in flight still decides first: an attempt that it may show to be refused
      // is not worth making; its answer comes within the probe timeout.
      if (s.probing) return [{ ...s, delaying: false }, [{ type: "skip" }]];
      const [next, actions] = retry(s);
      return [next, [{ type: "skip" }, ...actions]];
    }
  }
}

function retry(s: LinkState): [LinkState, LinkAction[]] {
  return [
    { ...s, phase: "connecting", delaying: false, probing: false },
    [{ type: "connect", retry: true }],
  ];
}

function ended(s: LinkState, problem: AccessProblem): [LinkState, LinkAction[]] {
  return [
    { ...s, phase: "ended", delaying: false, probing: false, problem },
    [{ type: "cancel" }, { type: "end", problem }],
  ];
}
