import assert from "node:assert/strict";
import { probeAccess, problemOfClose, problemOfResponse } from "./access_probe.ts";

const body = (error: unknown) => JSON.stringify({ error });

Deno.test("problemOfClose() recognizes the hub's revocation close only", () => {
  assert.deepEqual(problemOfClose(1008, "Certificate revoked"), {
    code: "TC_ERR_REVOKED",
    message: "Certificate revoked",
  });
  assert.equal(problemOfClose(1008, "Too many control messages"), null);
  assert.equal(problemOfClose(1001, "Certificate revoked"), null);
  assert.equal(problemOfClose(1006, ""), null);
});

Deno.test("problemOfResponse() reads a 403 naming a revoked or refused certificate", () => {
  assert.deepEqual(
    problemOfResponse(403, body({ code: "TC_ERR_REVOKED", message: "Certificate revoked" })),
    { code: "TC_ERR_REVOKED", message: "Certificate revoked" },
  );
  assert.deepEqual(
    problemOfResponse(
      403,
      body({
        code: "TC_ERR_CERTIFICATE_REQUIRED",
        message: "Client certificate expired",
        reason: "expired",
      }),
    ),
    {
      code: "TC_ERR_CERTIFICATE_REQUIRED",
      message: "Client certificate expired",
      reason: "expired",
    },
  );
  // A message is always there to show; an odd reason is dropped.
  assert.deepEqual(
    problemOfResponse(403, body({ code: "TC_ERR_CERTIFICATE_REQUIRED", reason: "<b>" })),
    { code: "TC_ERR_CERTIFICATE_REQUIRED", message: "TC_ERR_CERTIFICATE_REQUIRED" },
  );
});

Deno.test("problemOfResponse() finds nothing in other answers", () => {
  const revoked = body({ code: "TC_ERR_REVOKED", message: "Certificate revoked" });
  assert.equal(problemOfResponse(200, revoked), null);
  assert.equal(problemOfResponse(500, revoked), null);
  // Refused for another reason (the policy, another site's page): the certificate is fine.
  assert.equal(problemOfResponse(403, body({ code: "TC_ERR_FORBIDDEN", message: "No" })), null);
  assert.equal(problemOfResponse(403, body({ code: "TC_ERR_ORIGIN", message: "No" })), null);
  for (const text of ["", "<html>403</html>", "null", "[]", `{"error":"TC_ERR_REVOKED"}`]) {
    assert.equal(problemOfResponse(403, text), null, text);
  }
});

Deno.test("probeAccess() asks once for JSON and reads the answer", async () => {
  const seen: { accept: string | null; path: string }[] = [];
  let answer = () => new Response("[]", { status: 200 });
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => {
      seen.push({ accept: req.headers.get("accept"), path: new URL(req.url).pathname });
      return answer();
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}/api/cameras`;
  const signal = new AbortController().signal;
  assert.equal(await probeAccess(url, signal), null);
  answer = () =>
    new Response(body({ code: "TC_ERR_REVOKED", message: "Certificate revoked" }), {
      status: 403,
      headers: { "content-type": "application/json" },
    });
  assert.deepEqual(await probeAccess(url, signal), {
    code: "TC_ERR_REVOKED",
    message: "Certificate revoked",
  });
  assert.deepEqual(seen, [
    { accept: "application/json", path: "/api/cameras" },
    { accept: "application/json", path: "/api/cameras" },
  ]);
});

Deno.test("probeAccess() says nothing when the hub cannot be asked", async () => {
  // A port nothing listens on: the listener is closed before the probe.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  assert.equal(
    await probeAccess(`http://127.0.0.1:${port}/api/cameras`, new AbortController().signal),
    null,
  );
  // Aborted: null as well, not a rejection.
  const aborted = AbortSignal.abort();
  assert.equal(await probeAccess(`http://127.0.0.1:${port}/api/cameras`, aborted), null);
});
