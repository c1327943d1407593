import assert from "node:assert/strict";
import { jsonBody } from "./json_body.ts";

const put = (body: string) => new Request("https://127.0.0.1/x", { method: "PUT", body });

Deno.test("jsonBody() returns the parsed body", async () => {
  assert.deepEqual(await jsonBody(put('{"hidden":true}')), { hidden: true });
  assert.equal(await jsonBody(put("null")), null);
});

Deno.test("jsonBody() refuses what does not parse, empty bodies included", async () => {
  for (const body of ["", "{", "hidden=true", '{"a":1}x']) {
    await assert.rejects(
      () => jsonBody(put(body)),
      (err: { code?: string; message?: string }) =>
        err.code === "TC_ERR_BAD_REQUEST" && err.message === "Request body is not JSON",
      JSON.stringify(body),
    );
  }
});
