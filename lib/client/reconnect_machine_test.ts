import assert from "node:assert/strict";
import {
  INITIAL_LINK,
  type LinkAction,
  type LinkEvent,
  type LinkOptions,
  type LinkState,
  stepLink,
} from "./reconnect_machine.ts";
import type { AccessProblem } from "./access_probe.ts";

/** No jitter: delays are 100, 200, 400, 800, then 800. */
const OPTS: LinkOptions = { backoff: { baseMs: 100, maxMs: 800, jitter: 0 }, probes: true };
const REVOKED: AccessProblem = { code: "TC_ERR_REVOKED", message: "Certificate revoked" };
const EXPIRED: AccessProblem = {
  code: "TC_ERR_CERTIFICATE_REQUIRED",
  message: "Client certificate expired",
  reason: "expired",
};

const start: LinkEvent = { type: "start" };
const opened: LinkEvent = { type: "opened" };
const accepted: LinkEvent = { type: "accepted" };
const delayed: LinkEvent = { type: "delayed" };
const refusedUpgrade: LinkEvent = { type: "closed", code: 1006, reason: "" };
const shutdown: LinkEvent = { type: "closed", code: 1001, reason: "Hub shutting down" };
const probed = (problem: AccessProblem | null): LinkEvent => ({ type: "probed", problem });

/** Feeds `events` from `from`; returns the last state and every action, in order. */
function run(
  events: LinkEvent[],
  o: LinkOptions = OPTS,
  from: LinkState = INITIAL_LINK,
): { state: LinkState; actions: LinkAction[] } {
  let state = from;
  const actions: LinkAction[] = [];
  for (const e of events) {
    const [next, out] = stepLink(state, e, o);
    state = next;
    actions.push(...out);
  }
  return { state, actions };
}

const connect = (retry: boolean): LinkAction => ({ type: "connect", retry });
const wait = (delayMs: number): LinkAction => ({ type: "wait", delayMs });
const probe: LinkAction = { type: "probe" };
const cancel: LinkAction = { type: "cancel" };

Deno.test("stepLink() ends at once on a close that says the certificate is revoked", () => {
  const { state, actions } = run([
    start,
    opened,
    accepted,
    { type: "closed", code: 1008, reason: "Certificate revoked" },
    // Nothing afterwards brings it back.
    delayed,
    probed(null),
    start,
  ]);
  assert.deepEqual(actions, [connect(false), cancel, { type: "end", problem: REVOKED }]);
  assert.equal(state.phase, "ended");
  assert.deepEqual(state.problem, REVOKED);
});

Deno.test("stepLink() only backs off after a close that explains itself, as before", () => {
  const { state, actions } = run([start, opened, accepted, shutdown, delayed, opened, accepted]);
  assert.deepEqual(actions, [connect(false), wait(100), connect(true)]);
  assert.equal(state.phase, "open");
  // Another 1008 (a control-rate close) is no revocation: it backs off too, without a probe.
  const rate = run([start, opened, { type: "closed", code: 1008, reason: "Too many messages" }]);
  assert.deepEqual(rate.actions, [connect(false), wait(100)]);
  assert.equal(rate.state.phase, "waiting");
});

Deno.test("stepLink() probes once per failed attempt and retries when both delay and probe are done", () => {
  // Probe first, then the delay.
  const a = run([start, refusedUpgrade, probed(null), delayed]);
  assert.deepEqual(a.actions, [connect(false), wait(100), probe, connect(true)]);
  // Delay first: the attempt waits for the probe.
  const b = run([start, refusedUpgrade, delayed]);
  assert.deepEqual(b.actions, [connect(false), wait(100), probe]);
  assert.deepEqual([b.state.phase, b.state.delaying, b.state.probing], ["waiting", false, true]);
  const b2 = run([probed(null)], OPTS, b.state);
  assert.deepEqual(b2.actions, [connect(true)]);
  // A socket that opened and then dropped without a close frame says nothing either.
  const c = run([start, opened, refusedUpgrade]);
  assert.deepEqual(c.actions, [connect(false), wait(100), probe]);

  // A hub down for four attempts: four probes, four retries, backoff growing, never more.
  const down = run([
    start,
    ...Array.from({ length: 4 }, () => [refusedUpgrade, delayed, probed(null), delayed]).flat(),
  ]);
  assert.deepEqual(down.actions, [
    connect(false),
    ...[100, 200, 400, 800].flatMap((ms) => [wait(ms), probe, connect(true)]),
  ]);
});

Deno.test("stepLink() ends on the probe's answer, before any further attempt", () => {
  // The probe answers during the delay: the delay is dropped.
  const during = run([start, opened, accepted, shutdown, delayed, refusedUpgrade, probed(REVOKED)]);
  assert.deepEqual(during.actions, [
    connect(false),
    wait(100),
    connect(true),
    wait(200),
    probe,
    cancel,
    { type: "end", problem: REVOKED },
  ]);
  assert.equal(during.state.phase, "ended");
  // The probe answers after the delay: still no attempt.
  const after = run([start, refusedUpgrade, delayed, probed(EXPIRED), delayed]);
  assert.deepEqual(after.actions, [
    connect(false),
    wait(100),
    probe,
    cancel,
    { type: "end", problem: EXPIRED },
  ]);
  assert.deepEqual(after.state.problem, EXPIRED);
});

Deno.test("stepLink() without a probe backs off on every failure", () => {
  const { actions } = run([start, refusedUpgrade, delayed, refusedUpgrade, delayed], {
    ...OPTS,
    probes: false,
  });
  assert.deepEqual(actions, [connect(false), wait(100), connect(true), wait(200), connect(true)]);
});

Deno.test("stepLink() starts backoff over after the hub's hello", () => {
  const { actions } = run([
    start,
    refusedUpgrade,
    probed(null),
    delayed,
    refusedUpgrade,
    probed(null),
    delayed,
    opened,
    accepted,
    shutdown,
  ]);
  assert.deepEqual(actions.filter((a) => a.type === "wait"), [wait(100), wait(200), wait(100)]);
});

Deno.test("stepLink() stop cancels what runs and ignores late answers", () => {
  const { state, actions } = run([
    start,
    refusedUpgrade,
    { type: "stop" },
    probed(REVOKED),
    delayed,
  ]);
  assert.deepEqual(actions, [connect(false), wait(100), probe, cancel]);
  assert.equal(state.phase, "stopped");
  assert.equal(state.problem, undefined);
  // Events that do not apply to the phase change nothing.
  const idle = run([opened, accepted, delayed, probed(REVOKED), shutdown]);
  assert.deepEqual(idle, { state: INITIAL_LINK, actions: [] });
});

Deno.test("stepLink() retries at once on retry, keeping the backoff index", () => {
  const retryNow: LinkEvent = { type: "retry" };
  const skip: LinkAction = { type: "skip" };
  const noProbe: LinkOptions = { ...OPTS, probes: false };
  const { state, actions } = run([start, opened, accepted, shutdown, retryNow], noProbe);
  assert.deepEqual(actions, [connect(false), wait(100), skip, connect(true)]);
  assert.equal(state.phase, "connecting");
  assert.equal(state.attempt, 1);
  // The delay it skipped no longer counts; failing again waits the next, longer delay.
  const again = run([delayed, shutdown], noProbe, state);
  assert.deepEqual(again.actions, [wait(200)]);
  assert.equal(again.state.delaying, true);
});

Deno.test("stepLink() retry while probing waits for the probe, not for the delay", () => {
  const retryNow: LinkEvent = { type: "retry" };
  const skip: LinkAction = { type: "skip" };
  const { state, actions } = run([start, refusedUpgrade, retryNow]);
  assert.deepEqual(actions, [connect(false), wait(100), probe, skip]);
  assert.equal(state.phase, "waiting");
  assert.equal(state.delaying, false);
  assert.deepEqual(run([probed(null)], OPTS, state).actions, [connect(true)]);
  const refused = run([probed(REVOKED)], OPTS, state);
  assert.equal(refused.state.phase, "ended");
});

Deno.test("stepLink() ignores retry unless it is waiting out a delay", () => {
  const retryNow: LinkEvent = { type: "retry" };
  assert.deepEqual(run([retryNow]).actions, []);
  assert.deepEqual(run([start, opened, retryNow]).actions, [connect(false)]);
  const ended = run([start, opened, { type: "closed", code: 1008, reason: "Certificate revoked" }]);
  assert.deepEqual(run([retryNow], OPTS, ended.state).actions, []);
  const stopped = run([start, { type: "stop" }]);
  assert.deepEqual(run([retryNow], OPTS, stopped.state).actions, []);
});
