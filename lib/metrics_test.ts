import assert from "node:assert/strict";
import { Metrics } from "./metrics.ts";

Deno.test("Metrics.render() prints an unlabelled counter at 0 before any inc", () => {
  const m = new Metrics();
  m.counter("trustcam_frames_total", "Frames received from devices");
  assert.equal(
    m.render(),
    "# HELP trustcam_frames_total Frames received from devices\n" +
      "# TYPE trustcam_frames_total counter\n" +
      "trustcam_frames_total 0\n",
  );
});

Deno.test("Counter.inc() adds 1, n, or to a labelled series", () => {
  const m = new Metrics();
  const plain = m.counter("a_total", "A");
  plain.inc();
  plain.inc(4);
  const errors = m.counter("trustcam_errors_total", "Errors by code", ["code"]);
  errors.inc({ code: "TC_ERR_BAD_FRAME" });
  errors.inc({ code: "TC_ERR_BAD_FRAME" }, 2);
  errors.inc({ code: "TC_ERR_REVOKED" });
  assert.equal(
    m.render(),
    "# HELP a_total A\n# TYPE a_total counter\na_total 5\n" +
      "# HELP trustcam_errors_total Errors by code\n# TYPE trustcam_errors_total counter\n" +
      'trustcam_errors_total{code="TC_ERR_BAD_FRAME"} 3\n' +
      'trustcam_errors_total{code="TC_ERR_REVOKED"} 1\n',
  );
  assert.equal(errors.get({ code: "TC_ERR_BAD_FRAME" }), 3);
  assert.equal(errors.get({ code: "TC_ERR_SHUTDOWN" }), 0);
});

Deno.test("Counter.labels() returns a bound child that shares the series", () => {
  const m = new Metrics();
  const c = m.counter("frames_total", "Frames", ["serial", "role"]);
  // Label order in the object does not matter; the declared order is used.
  const child = c.labels({ role: "device", serial: "0123A1B2C3D4E5F6A7" });
  assert.equal(c.labels({ serial: "0123A1B2C3D4E5F6A7", role: "device" }), child);
  for (let i = 0; i < 1000; i++) child.inc();
  child.inc(0.5);
  assert.equal(
    m.render(),
    "# HELP frames_total Frames\n# TYPE frames_total counter\n" +
      'frames_total{serial="0123A1B2C3D4E5F6A7",role="device"} 1000.5\n',
  );
});

Deno.test("Counter.inc() refuses a negative or NaN increment", () => {
  const c = new Metrics().counter("x_total", "X");
  assert.throws(() => c.inc(-1), RangeError);
  assert.throws(() => c.labels().inc(NaN), RangeError);
  assert.equal(c.get(), 0);
});

Deno.test("Metrics escapes label values and help text", () => {
  const m = new Metrics();
  const g = m.gauge("viewer_info", 'Viewer "name" with \\ and\nnewline', ["viewer"]);
  g.set({ viewer: 'a"b\\c\nd' }, 1);
  assert.equal(
    m.render(),
    '# HELP viewer_info Viewer "name" with \\\\ and\\nnewline\n' +
      "# TYPE viewer_info gauge\n" +
      'viewer_info{viewer="a\\"b\\\\c\\nd"} 1\n',
  );
});

Deno.test("Metrics keeps series apart whatever the label values contain", () => {
  const m = new Metrics();
  const c = m.counter("pairs_total", "P", ["a", "b"]);
  c.inc({ a: "1:x;", b: "" });
  c.inc({ a: "1:x", b: ";" });
  assert.equal(c.get({ a: "1:x;", b: "" }), 1);
  assert.equal(c.get({ a: "1:x", b: ";" }), 1);
});

Deno.test("Gauge set, inc and dec, labelled and not", () => {
  const m = new Metrics();
  const viewers = m.gauge("trustcam_viewers", "Connected viewers");
  viewers.inc();
  viewers.inc();
  viewers.dec();
  viewers.inc(3);
  const fps = m.gauge("trustcam_camera_fps", "Frames per second", ["serial"]);
  fps.set({ serial: "0123000000000000B0" }, 14.9);
  fps.labels({ serial: "0123000000000000C0" }).set(-0.25);
  fps.dec({ serial: "0123000000000000B0" }, 0.5);
  assert.equal(
    m.render(),
    "# HELP trustcam_viewers Connected viewers\n# TYPE trustcam_viewers gauge\n" +
      "trustcam_viewers 4\n" +
      "# HELP trustcam_camera_fps Frames per second\n# TYPE trustcam_camera_fps gauge\n" +
      'trustcam_camera_fps{serial="0123000000000000B0"} 14.4\n' +
      'trustcam_camera_fps{serial="0123000000000000C0"} -0.25\n',
  );
  viewers.set(7);
  assert.equal(viewers.get(), 7);
});

Deno.test("Gauge prints NaN and infinities in Prometheus spelling", () => {
  const m = new Metrics();
  const g = m.gauge("g", "G", ["k"]);
  g.set({ k: "nan" }, NaN);
  g.set({ k: "inf" }, Infinity);
  g.set({ k: "-inf" }, -Infinity);
  assert.equal(
    m.render(),
    "# HELP g G\n# TYPE g gauge\n" +
      'g{k="nan"} NaN\ng{k="inf"} +Inf\ng{k="-inf"} -Inf\n',
  );
});

Deno.test("Metrics.collect() runs callbacks before each render", () => {
  const m = new Metrics();
  const fps = m.gauge("camera_fps", "FPS", ["serial"]);
  let cameras: [string, number][] = [["A", 15], ["B", 10]];
  let runs = 0;
  const remove = m.collect(() => {
    runs++;
    fps.reset();
    for (const [serial, v] of cameras) fps.set({ serial }, v);
  });
  assert.equal(
    m.render(),
    '# HELP camera_fps FPS\n# TYPE camera_fps gauge\ncamera_fps{serial="A"} 15\n' +
      'camera_fps{serial="B"} 10\n',
  );
  cameras = [["B", 9]];
  assert.equal(
    m.render(),
    '# HELP camera_fps FPS\n# TYPE camera_fps gauge\ncamera_fps{serial="B"} 9\n',
  );
  assert.equal(runs, 2);
  remove();
  m.render();
  assert.equal(runs, 2);
});

Deno.test("Metric.remove() drops one series; reset() zeroes an unlabelled one", () => {
  const m = new Metrics();
  const c = m.counter("c_total", "C", ["serial"]);
  c.inc({ serial: "A" });
  c.inc({ serial: "B" });
  c.remove({ serial: "A" });
  const g = m.gauge("g", "G");
  g.set(5);
  g.reset();
  assert.equal(
    m.render(),
    '# HELP c_total C\n# TYPE c_total counter\nc_total{serial="B"} 1\n' +
      "# HELP g G\n# TYPE g gauge\ng 0\n",
  );
});

Deno.test("Metrics rejects bad metric and label names", () => {
  const m = new Metrics();
  assert.throws(() => m.counter("1abc", "x"), /^TypeError: Invalid metric name: "1abc"$/);
  assert.throws(() => m.counter("a-b", "x"), TypeError);
  assert.throws(() => m.gauge("ok", "x", ["bad-label"]), /Invalid label name for ok: "bad-label"/);
  assert.throws(() => m.gauge("ok2", "x", ["__reserved"]), TypeError);
  assert.throws(() => m.gauge("ok3", "x", ["a", "a"]), /Duplicate label name/);
  m.counter("ns:sub_total", "colons are allowed");
});

Deno.test("Metrics rejects a name registered twice", () => {
  const m = new Metrics();
  m.counter("x_total", "X");
  assert.throws(() => m.gauge("x_total", "X"), /^TypeError: Metric already registered: "x_total"$/);
});

Deno.test("Metric.labels() requires exactly the declared label names", () => {
  const c = new Metrics().counter("c_total", "C", ["serial"]);
  assert.throws(() => c.inc(), /Labels for c_total must be exactly \[serial\]: \[\]/);
  assert.throws(() => c.inc({ serial: "A", extra: "x" }), TypeError);
  assert.throws(() => c.inc({ other: "A" }), TypeError);
  const plain = new Metrics().counter("p_total", "P");
  assert.throws(() => plain.inc({ serial: "A" }), TypeError);
});
