/**
 * A 5x7 bitmap font for the simulated cameras' on-screen text (serial, clock). Each glyph is
 * seven rows of five pixels, most significant of the five bits on the left. Only what a
 * camera overlay needs: digits, upper-case letters, and a little punctuation.
 */

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;

// Rows as strings keep the glyphs reviewable by eye; they are packed into numbers once.
const ROWS: Record<string, string> = {
  "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
  "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
  "2": ".###. #...# ....# ...#. ..#.. .#... #####",
  "3": "##### ...#. ..#.. ...#. ....# #...# .###.",
  "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
  "5": "##### #.... ####. ....# ....# #...# .###.",
  "6": "..##. .#... #.... ####. #...# #...# .###.",
  "7": "##### ....# ...#. ..#.. .#... .#... .#...",
  "8": ".###. #...# #...# .###. #...# #...# .###.",
  "9": ".###. #...# #...# .#### ....# ...#. .##..",
  "A": ".###. #...# #...# ##### #...# #...# #...#",
  "B": "####. #...# #...# ####. #...# #...# ####.",
  "C": ".###. #...# #.... #.... #.... #...# .###.",
  "D": "###.. #..#. #...# #...# #...# #..#. ###..",
  "E": "##### #.... #.... ####. #.... #.... #####",
  "F": "##### #.... #.... ####. #.... #.... #....",
  "G": ".###. #...# #.... #.### #...# #...# .####",
  "H": "#...# #...# #...# ##### #...# #...# #...#",
  "I": ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
  "J": "..### ...#. ...#. ...#. ...#. #..#. .##..",
  "K": "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
  "L": "#.... #.... #.... #.... #.... #.... #####",
  "M": "#...# ##.## #.#.# #.#.# #...# #...# #...#",
  "N": "#...# #...# ##..# #.#.# #..## #...# #...#",
  "O": ".###. #...# #...# #...# #...# #...# .###.",
  "P": "####. #...# #...# ####. #.... #.... #....",
  "Q": ".###. #...# #...# #...# #.#.# #..#. .##.#",
  "R": "####. #...# #...# ####. #.#.. #..#. #...#",
  "S": ".#### #.... #.... .###. ....# ....# ####.",
  "T": "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
  "U": "#...# #...# #...# #...# #...# #...# .###.",
  "V": "#...# #...# #...# #...# #...# .#.#. ..#..",
  "W": "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
  "X": "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
  "Y": "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
  "Z": "##### ....# ...#. ..#.. .#... #.... #####",
  ":": "..... .##.. .##.. ..... .##.. .##.. .....",
  ".": "..... ..... ..... ..... ..... .##.. .##..",
  "-": "..... ..... ..... .###. ..... ..... .....",
  "/": "....# ....# ...#. ..#.. .#... #.... #....",
  " ": "..... ..... ..... ..... ..... ..... .....",
  "?": ".###. #...# ....# ...#. ..#.. ..... ..#..",
};

function pack(rows: string): number[] {
  return rows.split(" ").map((row) => {
    let bits = 0;
    for (const ch of row) bits = (bits << 1) | (ch === "#" ? 1 : 0);
    return bits;
  });
}

const GLYPHS: ReadonlyMap<string, readonly number[]> = new Map(
  Object.entries(ROWS).map(([ch, rows]) => [ch, pack(rows)]),
);

/** The rows of a glyph; lower case maps to upper case, anything unknown to "?". */
export function glyph(ch: string): readonly number[] {
  return GLYPHS.get(ch.toUpperCase()) ?? GLYPHS.get("?")!;
}

/** Whether the font has a glyph for a character (case-insensitive). */
export function hasGlyph(ch: string): boolean {
  return GLYPHS.has(ch.toUpperCase());
}

/** Pixel width of a text at a scale: glyphs plus one column of spacing between them. */
export function textWidth(text: string, scale: number): number {
  return text.length === 0 ? 0 : (text.length * (GLYPH_WIDTH + 1) - 1) * scale;
}

/**
 * Draws text into an RGBA buffer at (x, y), each font pixel a scale x scale block. Pixels
 * outside the image are clipped, so overlays near an edge never throw.
 */
export function drawText(
  rgba: Uint8Array,
  width: number,
  height: number,
  x: number,
  y: number,
  text: string,
  scale: number,
  color: readonly [number, number, number],
): void {
  let penX = x;
  for (const ch of text) {
    const rows = glyph(ch);
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      const bits = rows[r];
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if ((bits >> (GLYPH_WIDTH - 1 - c)) & 1) {
          fillRect(rgba, width, height, penX + c * scale, y + r * scale, scale, scale, color);
        }
      }
    }
    penX += (GLYPH_WIDTH + 1) * scale;
  }
}

/** Fills a clipped rectangle in an RGBA buffer (alpha set to opaque). */
export function fillRect(
  rgba: Uint8Array,
  width: number,
  height: number,
  x: number,
  y: number,
  w: number,
  h: number,
  color: readonly [number, number, number],
): void {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(width, Math.floor(x + w));
  const y1 = Math.min(height, Math.floor(y + h));
  for (let py = y0; py < y1; py++) {
    let i = (py * width + x0) * 4;
    for (let px = x0; px < x1; px++) {
      rgba[i] = color[0];
      rgba[i + 1] = color[1];
      rgba[i + 2] = color[2];
      rgba[i + 3] = 255;
      i += 4;
    }
  }
}
