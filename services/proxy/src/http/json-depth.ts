/**
 * Deepest nesting of arrays and objects a request body may have. JSON.parse is not the only cost of a
 * deep body: a 9 MB body of nested arrays took 1.3 s to parse alone, and every recursive walk after it
 * (schema validation, translations, schema conversion) risks the stack. 128 is serde_json's default
 * recursion limit; real bodies stay far below it: a chat request is ~6 levels before its tools, and a
 * tool's JSON schema adds two levels per nested object (`properties` -> property), so even a schema
 * nested 40 objects deep fits.
 */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * True when no array or object in `buf` nests deeper than `max`, judged without parsing: one pass over
 * the bytes outside strings, each string skipped with a native search for its closing quote (so a
 * body of base64 images costs a few memchr calls). Linear in the body; malformed JSON is left to
 * JSON.parse (an unterminated string ends the scan).
 */
export function withinJsonDepth(buf: Buffer, max = MAX_JSON_DEPTH): boolean {
  const n = buf.length;
  // Valid JSON cannot nest deeper than half its length: small bodies are decided here.
  if (n <= 2 * max) return true;
  let depth = 0;
  let i = 0;
  while (i < n) {
    const c = buf[i] as number;
    if (c === QUOTE) {
      i = stringEnd(buf, i + 1);
      if (i < 0) return true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return false;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
    i++;
  }
  return true;
}

/** Index of the quote closing the string whose content starts at `from`, or -1 when there is none. */
function stringEnd(buf: Buffer, from: number): number {
  let q = buf.indexOf(QUOTE, from);
  while (q >= 0) {
    // Escaped when preceded by an odd run of backslashes.
    let b = q - 1;
    while (b >= from && buf[b] === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q;
    q = buf.indexOf(QUOTE, q + 1);
  }
  return -1;
}
