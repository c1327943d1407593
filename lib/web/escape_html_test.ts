import assert from "node:assert/strict";
import { escapeHtml } from "./escape_html.ts";

Deno.test("escapeHtml() escapes the five characters that can open markup or attributes", () => {
  assert.equal(
    escapeHtml(`<img src=x onerror="a('b')">&`),
    "&#60;img src=x onerror=&#34;a(&#39;b&#39;)&#34;&#62;&#38;",
  );
  assert.equal(escapeHtml("Front door · 🎥"), "Front door · 🎥");
});
