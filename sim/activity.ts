/**
 * When a simulated camera's scene moves. Left alone, the simulator's square never stops, which
 * a motion detector sees as one event without end; the demo's cameras move a while, then hold
 * still long enough for the event to end, so a newcomer sees events come and go.
 */

export interface Activity {
  /** How long the scene moves, then how long it holds still, ms. */
  moveMs: number;
  stillMs: number;
  /** Where this camera starts in the cycle, ms (cameras out of step look less staged). */
  offsetMs?: number;
}

/** Whether the scene moves at `elapsedMs` since the camera started. */
export function isMoving(a: Activity, elapsedMs: number): boolean {
  const cycle = a.moveMs + a.stillMs;
  const at = (((elapsedMs + (a.offsetMs ?? 0)) % cycle) + cycle) % cycle;
  return at < a.moveMs;
}

/** Checks an activity from options; throws RangeError naming the bad value. */
export function checkActivity(a: Activity): Activity {
  for (const [name, v] of [["moveMs", a.moveMs], ["stillMs", a.stillMs]] as const) {
    if (!Number.isFinite(v) || v <= 0) {
      throw new RangeError(`Activity ${name} must be above 0: "${v}"`);
    }
  }
  return a;
}
