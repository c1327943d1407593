import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { MotionSettings } from "./MotionSettings.tsx";
import { MaskOverlay } from "./MaskOverlay.tsx";

const S = "0123A1B2C3D4E5F6A7";
const values = {
  enabled: true,
  fps: 5,
  sensitivity: 50,
  minArea: 0.005,
  mask: [{ x: 0.1, y: 0.2, w: 0.3, h: 0.4 }],
};
const noop = () => {};

Deno.test("MotionSettings shows viewers the settings in words, without a form", () => {
  const html = renderToString(
    <MotionSettings
      serial={S}
      canManage={false}
      draft={undefined}
      onDraft={noop}
      initial={values}
    />,
  );
  assert.match(html, /data-motion-values/);
  for (
    const text of ["Detection</dt>", "On</dd>", "50 of 100", "0.5 % of the picture", "5 fps"]
  ) {
    assert.ok(html.includes(text), text);
  }
  assert.match(html, /1 rectangle<\/dd>/);
  assert.doesNotMatch(html, /<form|<input|data-mask-editor|Edit mask/);
});

Deno.test("MotionSettings gives admins the form and a mask editor button", () => {
  const html = renderToString(
    <MotionSettings serial={S} canManage draft={undefined} onDraft={noop} initial={values} />,
  );
  assert.match(html, /<form[^>]*data-motion-form/);
  assert.match(html, /<input type="checkbox" name="enabled"[^>]*checked/);
  assert.match(html, /<input type="number" name="sensitivity" value="50" min="1" max="100"/);
  assert.match(html, /name="minAreaPercent" value="0.5"/);
  assert.match(html, /name="fps" value="5"/);
  assert.match(html, /<button type="submit"[^>]*data-action="save-motion">Save settings/);
  assert.match(html, /Mask · 1 rectangle</);
  assert.match(html, /<button type="button"[^>]*data-action="edit-mask">Edit mask/);
  assert.doesNotMatch(html, /data-mask-list/);
});

Deno.test("MotionSettings lists the mask being edited, each rectangle typed and deletable", () => {
  const draft = [...values.mask, { x: 0.5, y: 0.5, w: 0.25, h: 0.125 }];
  const html = renderToString(
    <MotionSettings serial={S} canManage draft={draft} onDraft={noop} initial={values} />,
  );
  assert.equal(html.match(/data-mask-rect=/g)?.length, 2);
  assert.match(html, /data-mask-heading>Mask · 2 rectangles, not saved yet</);
  assert.match(html, /aria-label="Delete rectangle 2"[^>]*data-action="delete-rect">Delete/);
  assert.match(html, /value="12.5" aria-label="Rectangle 2 height, percent"/);
  assert.match(html, /value="10" aria-label="Rectangle 1 left, percent"/);
  for (const action of ["add-rect", "save-mask", "cancel-mask"]) {
    assert.match(html, new RegExp(`<button type="button"[^>]*data-action="${action}"`));
  }
  assert.doesNotMatch(html, /data-action="edit-mask"/);
});

Deno.test("MotionSettings says it is loading before the hub answers", () => {
  const html = renderToString(
    <MotionSettings serial={S} canManage draft={undefined} onDraft={noop} />,
  );
  assert.match(html, /data-motion-settings[^>]*>.*Loading…/);
});

Deno.test("MaskOverlay draws each rectangle where it lies on the picture", () => {
  const html = renderToString(
    <MaskOverlay rects={values.mask} onChange={noop} imageWidth={640} imageHeight={480} />,
  );
  assert.match(html, /role="group" aria-label="Motion mask: drag over the picture/);
  assert.match(html, /left:10%;top:20%;width:30%;height:40%[^"]*"[^>]*data-mask-shape="0"/);
});

Deno.test("MotionSettings says when the hub analyzes nothing though the camera's settings are on", () => {
  const render = (analyzed?: boolean) =>
    renderToString(
      <MotionSettings
        serial={S}
        canManage={false}
        draft={undefined}
        onDraft={noop}
        initial={values}
        analyzed={analyzed}
      />,
    );
  assert.match(render(false), /data-motion-off>The hub analyzes no frames/);
  assert.doesNotMatch(render(true), /data-motion-off/);
  assert.doesNotMatch(render(undefined), /data-motion-off/);
});
