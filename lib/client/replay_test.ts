import assert from "node:assert/strict";
import { checkedPlay, ReplayTracker } from "./replay.ts";
import {
  liveCommand,
  pauseCommand,
  playCommand,
  replayEndedMessage,
  replayLiveMessage,
  replayPlayingMessage,
} from "../protocol.ts";

const S = "0123A1B2C3D4E5F6A7";
const T0 = Date.UTC(2026, 10, 27, 14, 0, 0);
const playing = (camera: string, from = T0, speed = 1) => replayPlayingMessage(camera, from, speed);

Deno.test("checkedPlay() builds the protocol's play and refuses what the hub would", () => {
  assert.deepEqual(checkedPlay(S, T0 + 0.4, 2), playCommand(S, T0, 2));
  assert.throws(() => checkedPlay(S, T0, 32), /Invalid replay speed: "32": must be 0.25 to 16/);
  assert.throws(() => checkedPlay(S, T0, 0), /Invalid replay speed/);
  assert.throws(() => checkedPlay(S, NaN, 1), /Invalid replay start: "NaN"/);
});

Deno.test("ReplayTracker lets through live frames, then recorded ones once play is acknowledged", () => {
  const r = new ReplayTracker();
  assert.equal(r.tracks(S), false);
  assert.equal(r.accept(S, undefined), true);
  assert.deepEqual(r.play(S, T0, 4), playCommand(S, T0, 4));
  assert.deepEqual(r.state(S), { mode: "starting", from: T0, speed: 4, lastAt: undefined });
  // Live frames in flight before the hub switched: dropped.
  assert.equal(r.accept(S, undefined), false);
  assert.equal(r.onMessage(playing(S, T0, 4)), true);
  assert.equal(r.state(S)?.mode, "playing");
  assert.equal(r.accept(S, undefined), false);
  assert.equal(r.accept(S, T0 + 10), true);
  assert.equal(r.state(S)?.lastAt, T0 + 10);

  assert.deepEqual(r.pause(S), pauseCommand(S));
  assert.equal(r.accept(S, T0 + 20), false, "a frame in flight after pause");
  assert.equal(r.state(S)?.lastAt, T0 + 10);

  assert.deepEqual(r.live(S), liveCommand(S));
  assert.equal(r.accept(S, T0 + 30), false, "a recorded frame in flight after live");
  assert.equal(r.accept(S, undefined), true);
  assert.equal(r.onMessage(replayLiveMessage(S)), true);
  assert.equal(r.tracks(S), false);
  assert.equal(r.live(S), undefined);
  assert.equal(r.pause(S), undefined);
});

Deno.test("ReplayTracker waits for the last of several plays, so a seek drops the old position", () => {
  const r = new ReplayTracker();
  r.play(S, T0, 1);
  r.play(S, T0 + 60_000, 1);
  assert.equal(r.onMessage(playing(S)), false);
  assert.equal(r.accept(S, T0 + 5), false, "a frame of the first play");
  assert.equal(r.onMessage(playing(S)), true);
  assert.equal(r.accept(S, T0 + 60_000), true);
  // The end of the archive.
  assert.equal(r.onMessage(replayEndedMessage(S, T0 + 60_001)), true);
  assert.equal(r.state(S)?.mode, "ended");
  assert.equal(r.accept(S, T0 + 60_001), false);
});

Deno.test("ReplayTracker takes a refusal as the waiting play's and goes back to live", () => {
  const r = new ReplayTracker();
  assert.deepEqual(r.onError("TC_ERR_REPLAY_LIMIT"), []);
  r.play(S, T0, 1);
  assert.deepEqual(r.onError("TC_ERR_BAD_SERIAL"), [], "not an answer to play");
  assert.deepEqual(r.onError("TC_ERR_REPLAY_LIMIT"), [S]);
  assert.equal(r.tracks(S), false);
  assert.equal(r.accept(S, undefined), true);
});

Deno.test("ReplayTracker.reconnected() resumes from the last frame shown, paused stays paused", () => {
  const r = new ReplayTracker();
  const P = "0123A1B2C3D4E5F6B7";
  const L = "0123A1B2C3D4E5F6C7";
  r.play(S, T0, 2);
  r.onMessage(playing(S));
  r.accept(S, T0 + 500);
  r.play(P, T0, 1);
  r.pause(P);
  r.play(L, T0, 1);
  r.live(L);
  assert.deepEqual(r.reconnected(), [
    playCommand(S, T0 + 500, 2),
    playCommand(P, T0, 1),
    pauseCommand(P),
  ]);
  assert.equal(r.state(S)?.mode, "starting");
  assert.equal(r.state(P)?.mode, "paused");
  assert.equal(r.tracks(L), false);
  // The paused camera's play acknowledgement leaves it paused.
  assert.equal(r.onMessage(playing(P)), false);
  assert.equal(r.state(P)?.mode, "paused");
});

Deno.test("ReplayTracker.suspend() pauses what plays in a hidden tab and resume() plays it on", () => {
  const r = new ReplayTracker();
  const P = "0123A1B2C3D4E5F6B7";
  r.play(S, T0, 4);
  r.onMessage(playing(S, T0, 4));
  r.accept(S, T0 + 800);
  r.play(P, T0, 1);
  r.pause(P); // paused by the viewer: stays paused
  assert.deepEqual(r.suspend(), [pauseCommand(S)]);
  assert.equal(r.state(S)?.mode, "paused");
  assert.equal(r.accept(S, T0 + 900), false);
  assert.deepEqual(r.suspend(), []);
  assert.deepEqual(r.resume(), [playCommand(S, T0 + 800, 4)]);
  assert.equal(r.state(S)?.mode, "starting");
  assert.deepEqual(r.resume(), []);
  // A viewer's own pause while hidden is not undone by showing the tab.
  r.suspend();
  r.pause(S);
  assert.deepEqual(r.resume(), []);
});
