import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { CertificateRefused, refusedTitle } from "./CertificateRefused.tsx";

const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/\s+/g, " ");

Deno.test("CertificateRefused says the administrator revoked this certificate and what to do", () => {
  const html = renderToString(
    <CertificateRefused
      problem={{ code: "TC_ERR_REVOKED", message: "Certificate revoked" }}
      viewer={`<b>alice</b>`}
    />,
  );
  assert.match(html, /data-certificate-refused="revoked"/);
  const words = text(html);
  assert.match(words, /This certificate has been revoked/);
  // The name is text, never markup.
  assert.match(html, /the certificate “&lt;b>alice&lt;\/b>” this browser presented/);
  assert.match(words, /The hub's administrator revoked the certificate/);
  assert.match(words, /no longer tries to reconnect/);
  assert.match(words, /new browser certificate/);
  assert.match(words, /deno task certs viewer YOUR-NAME/);
  assert.match(words, /Import it/);
  assert.match(words, /Restart the browser/);
  assert.ok(!/<script|on[a-z]+=/i.test(html), "markup that would need a script");
});

Deno.test("CertificateRefused names an expired certificate and the hub's words without a name", () => {
  const problem = {
    code: "TC_ERR_CERTIFICATE_REQUIRED" as const,
    message: "Client certificate expired",
    reason: "expired",
  };
  const html = renderToString(<CertificateRefused problem={problem} />);
  assert.match(html, /data-certificate-refused="expired"/);
  const words = text(html);
  assert.match(words, /This certificate has expired/);
  assert.match(
    words,
    /no longer accepts the certificate this browser presented: Client certificate expired\./,
  );
  assert.ok(!words.includes("revoked"));
  assert.equal(
    refusedTitle({ ...problem, reason: "untrusted" }),
    "This certificate is no longer accepted",
  );
  assert.equal(
    refusedTitle({ ...problem, reason: "not_yet_valid" }),
    "This certificate is not valid yet",
  );
});
