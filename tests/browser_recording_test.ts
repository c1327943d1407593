/**
 * The camera page's Recording panel in Debian Chromium against a real hub: an admin switches
 * the camera's mode with the select, the page says what the recorder does, the recorder
 * follows, and a refused change shows the hub's message.
 */
import assert from "node:assert/strict";
import { ARTIFACTS, SERIALS, startWall } from "./wall_fixture.ts";
import { MOTION_OFF_NOTE } from "../components/RecordingMode.tsx";
import { MANAGE_BURST } from "../lib/roles.ts";

const CAM = SERIALS[0];

Deno.test("camera page: an admin sets the recording mode and the page tells everyone", async (t) => {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  // Motion detection off: the simulated scene would otherwise start motion recordings.
  await using wall = await startWall({
    serials: [CAM],
    names: ["Front door"],
    hub: { motion: "off" },
  });
  const ctx = await wall.context({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const problems = wall.watch(page);
  const state = () => page.textContent("[data-recording-state]");
  const mode = async () =>
    (await (await ctx.request.get(`${wall.origin}/api/cameras/${CAM}`)).json()).recording;

  await t.step("the page says the camera is not recorded, by default", async () => {
    await page.goto(`${wall.origin}/cameras/${CAM}`);
    await page.waitForSelector("[data-island][data-ready]");
    assert.match(await state() ?? "", /^○?Not recording$/);
    assert.equal(await page.inputValue("[data-recording-mode]"), "default");
    const options = await page.locator("[data-recording-mode] option").allTextContents();
    assert.deepEqual(options, ["Default (off)", "Continuous", "Motion", "Off"]);
  });

  await t.step("Continuous records the camera from its next frame", async () => {
    await page.selectOption("[data-recording-mode]", "continuous");
    await page.waitForFunction(
      () => document.querySelector("[data-recording-state]")?.textContent?.endsWith("continuous"),
    );
    assert.match(await state() ?? "", /Recording: continuous$/);
    assert.deepEqual(await mode(), {
      mode: "continuous",
      source: "camera",
      recording: true,
      dropped: 0,
    });
    const written = async () => {
      const text = await (await ctx.request.get(`${wall.origin}/metrics`)).text();
      const re = new RegExp(`trustcam_recorder_frames_total\\{serial="${CAM}"\\} (\\d+)`);
      return Number(re.exec(text)?.[1] ?? 0);
    };
    const deadline = Date.now() + 10_000;
    while (await written() === 0 && Date.now() < deadline) await page.waitForTimeout(100);
    assert.ok(await written() > 0, "the recorder writes the camera's frames");
    await page.waitForTimeout(1200); // let the per-second figures fill in
    await page.screenshot({ path: `${ARTIFACTS}camera_recording.png` });
  });

  await t.step("Motion says it needs motion detection and records nothing", async () => {
    await page.selectOption("[data-recording-mode]", "motion");
    await page.waitForSelector("[data-recording-note]");
    assert.equal(await page.textContent("[data-recording-note]"), MOTION_OFF_NOTE);
    assert.match(await state() ?? "", /Not recording$/);
    assert.equal((await mode()).recording, false);
    await page.screenshot({ path: `${ARTIFACTS}camera_recording_motion.png` });
  });

  await t.step("Default follows the hub again, and a refused change shows why", async () => {
    await page.selectOption("[data-recording-mode]", "default");
    await page.waitForFunction(async (cam) => {
      const r = await fetch(`/api/cameras/${cam}`).then((r) => r.json());
      return r.recording.source === "default";
    }, CAM);
    // Spend this admin's budget of changes; the next one from the page is refused.
    for (let i = 0; i < MANAGE_BURST; i++) {
      await ctx.request.put(`${wall.origin}/api/cameras/${CAM}/recording`, {
        data: { mode: "default" },
      });
    }
    await page.selectOption("[data-recording-mode]", "off");
    await page.waitForSelector("[data-recording-mode] ~ [role=alert]");
    assert.match(
      await page.textContent("[role=alert]") ?? "",
      /^Too many changes: at most 60 a minute after 30 at once$/,
    );
    assert.equal((await mode()).source, "default", "the refused change changed nothing");
    await page.screenshot({ path: `${ARTIFACTS}camera_recording_refused.png` });
  });

  await t.step("the page logged no errors but the refusal", () => {
    const unexpected = problems.filter((p) => !/^http 429 \/api\/cameras\/.*\/recording$/.test(p));
    assert.deepEqual(unexpected, []);
  });
});
