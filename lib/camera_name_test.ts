import assert from "node:assert/strict";
import { MAX_NAME_LENGTH, normalizeCameraName } from "./camera_name.ts";
import { TrustcamError } from "./errors.ts";

function refused(name: unknown, message: string) {
  assert.throws(() => normalizeCameraName(name), (err) => {
    assert.ok(err instanceof TrustcamError, `expected a TrustcamError, got ${err}`);
    assert.equal(err.code, "TC_ERR_BAD_NAME");
    assert.equal(err.message, message);
    return true;
  });
}

Deno.test("normalizeCameraName() trims and keeps ordinary names", () => {
  assert.equal(normalizeCameraName("  Front door  "), "Front door");
  assert.equal(normalizeCameraName('Garage <1> & "porch"'), 'Garage <1> & "porch"');
  assert.equal(normalizeCameraName("Caméra 2 · 玄関 · كاميرا"), "Caméra 2 · 玄関 · كاميرا");
  assert.equal(normalizeCameraName("🎥".repeat(MAX_NAME_LENGTH)), "🎥".repeat(64));
});

Deno.test("normalizeCameraName() stores the NFC form", () => {
  assert.equal(normalizeCameraName("Cafe\u0301"), "Caf\u00e9");
  assert.equal(normalizeCameraName("e\u0301"), "\u00e9");
  assert.equal(normalizeCameraName("\u212B"), "\u00C5", "the Angstrom sign becomes Å");
  // Counted after normalization: 64 decomposed "é" are 64 characters, not 128.
  assert.equal(normalizeCameraName("e\u0301".repeat(64)), "\u00e9".repeat(64));
});

Deno.test("normalizeCameraName() refuses empty and too long names", () => {
  refused("   ", 'Invalid camera name: "   " is empty');
  refused("", 'Invalid camera name: "" is empty');
  refused("n".repeat(65), `Invalid camera name: "${"n".repeat(39)}…" is 65 characters > 64`);
  refused(42, 'Invalid camera name: "42" is not a string');
  refused(null, 'Invalid camera name: "null" is not a string');
});

Deno.test("normalizeCameraName() refuses control characters, also at the ends", () => {
  refused("a\nb", 'Invalid camera name: "a\\nb" has control characters');
  refused("a\u0000b", 'Invalid camera name: "a\\u0000b" has control characters');
  refused("a\u007Fb", 'Invalid camera name: "a\u007Fb" has control characters');
  refused("a\u0085b", 'Invalid camera name: "a\u0085b" has control characters');
  refused("a\u2028b", 'Invalid camera name: "a\u2028b" has control characters');
  refused("door\t", 'Invalid camera name: "door\\t" has control characters');
});

Deno.test("normalizeCameraName() refuses bidirectional formatting characters, escaped", () => {
  refused(
    "gpj.\u202Eexe",
    'Invalid camera name: "gpj.\\u202eexe" has a bidirectional formatting character (U+202E)',
  );
  for (
    const c of [
      "\u202A",
      "\u202B",
      "\u202C",
      "\u202D",
      "\u2066",
      "\u2067",
      "\u2068",
      "\u2069",
      "\u200E",
      "\u200F",
      "\u061C",
    ]
  ) {
    const hex = c.charCodeAt(0).toString(16).padStart(4, "0");
    refused(
      `a${c}b`,
      `Invalid camera name: "a\\u${hex}b" has a bidirectional formatting character (U+${hex.toUpperCase()})`,
    );
  }
});

Deno.test("normalizeCameraName() refuses zero-width characters, also the BOM trim() drops", () => {
  refused("Door\u200B1", 'Invalid camera name: "Door\\u200b1" has a zero-width character (U+200B)');
  refused("\uFEFFDoor", 'Invalid camera name: "\\ufeffDoor" has a zero-width character (U+FEFF)');
  for (const [c, hex] of [["\u200C", "200C"], ["\u200D", "200D"], ["\u2060", "2060"]]) {
    const escaped = hex.toLowerCase();
    refused(
      `a${c}b`,
      `Invalid camera name: "a\\u${escaped}b" has a zero-width character (U+${hex})`,
    );
  }
});

Deno.test("normalizeCameraName() refuses lone surrogates and keeps pairs", () => {
  refused("\uD800", 'Invalid camera name: "\\ud800" has a lone surrogate (U+D800)');
  refused("a\uDC00", 'Invalid camera name: "a\\udc00" has a lone surrogate (U+DC00)');
  refused("\uDE00\uD83D", 'Invalid camera name: "\\ude00\\ud83d" has a lone surrogate (U+DE00)');
  assert.equal(normalizeCameraName("\uD83C\uDFA5 Gate"), "🎥 Gate");
});

Deno.test("normalizeCameraName() names the problem past the quoted part of a long name", () => {
  refused(
    "x".repeat(50) + "\u202E",
    `Invalid camera name: "${"x".repeat(39)}…" has a bidirectional formatting character (U+202E)`,
  );
});
