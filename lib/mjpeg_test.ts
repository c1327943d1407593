import assert from "node:assert/strict";
import { MJPEG_CONTENT_TYPE, mjpegPart } from "./mjpeg.ts";

Deno.test("mjpegPart() frames a JPEG with boundary, headers and CRLF", () => {
  const part = mjpegPart(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
  const head = "--trustcamframe\r\nContent-Type: image/jpeg\r\nContent-Length: 4\r\n\r\n";
  assert.deepEqual(
    [...part],
    [...new TextEncoder().encode(head), 0xff, 0xd8, 0xff, 0xd9, 0x0d, 0x0a],
  );
  assert.equal(MJPEG_CONTENT_TYPE, "multipart/x-mixed-replace; boundary=trustcamframe");
});

Deno.test("mjpegPart() adds headers after Content-Length", () => {
  const part = mjpegPart(new Uint8Array([0xff, 0xd9]), {
    "X-Timestamp": "2026-11-27T14:00:00.040Z",
  });
  const head = "--trustcamframe\r\nContent-Type: image/jpeg\r\nContent-Length: 2\r\n" +
    "X-Timestamp: 2026-11-27T14:00:00.040Z\r\n\r\n";
  assert.deepEqual([...part], [...new TextEncoder().encode(head), 0xff, 0xd9, 0x0d, 0x0a]);
});
