/**
 * A hand parser for the usual shape of an upstream's usage object: known token-count keys, integer or
 * null values, and the `*_details` objects one level down. Every JSON answer and every stream's usage
 * chunk carries one; `JSON.parse` of its text (plus the text's decoding and a copy) cost 0.8-1.8 us a
 * request, this a fraction. Anything else (another key, a string, a float, deeper nesting, an escape)
 * returns undefined and the caller parses the text with `JSON.parse`: the result is always the same.
 */

/** Keys the scanner knows (OpenAI's, DeepSeek's cache counts, Moonshot's top-level `cached_tokens`). */
const KEYS = [
  "prompt_tokens",
  "completion_tokens",
  "total_tokens",
  "prompt_tokens_details",
  "completion_tokens_details",
  "cached_tokens",
  "reasoning_tokens",
  "audio_tokens",
  "image_tokens",
  "text_tokens",
  "accepted_prediction_tokens",
  "rejected_prediction_tokens",
  "prompt_cache_hit_tokens",
  "prompt_cache_miss_tokens",
];

/** The known keys by their first letter: each with its bytes and its bit (a repeated key is told by it). */
const BY_FIRST: { name: string; bit: number; bytes: Uint8Array }[][] = [];
KEYS.forEach((name, n) => {
  const first = name.charCodeAt(0);
  const list = BY_FIRST[first] ?? [];
  list.push({ name, bit: 1 << n, bytes: Buffer.from(name, "latin1") });
  BY_FIRST[first] = list;
});

/** Integers longer than this may not be exact doubles when summed digit by digit: left to JSON.parse. */
const MAX_DIGITS = 15;

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** What the last `readKey` found: the key's name and bit. */
let keyName = "";
let keyBit = 0;

/** A known key (`"..."`) at `i`: the index after its closing quote, or -1. */
function readKey(b: Uint8Array, i: number): number {
  if (b[i] !== 0x22) return -1;
  const start = i + 1;
  const candidates = BY_FIRST[b[start] as number];
  if (candidates === undefined) return -1;
  for (const k of candidates) {
    const bytes = k.bytes;
    const n = bytes.length;
    let j = 1;
    while (j < n && bytes[j] === b[start + j]) j++;
    if (j === n && b[start + n] === 0x22) {
      keyName = k.name;
      keyBit = k.bit;
      return start + n + 1;
    }
  }
  return -1;
}

/** The object's last value read by `readValue`. */
let value: unknown;

/** An integer or null at `i`, or a nested object while `depth` allows: the index after it, or -1. */
function readValue(b: Uint8Array, i: number, depth: number): number {
  const c = b[i];
  if (c === 0x7b) {
    if (depth >= 2) return -1;
    const inner: Record<string, unknown> = {};
    const end = readObject(b, i, depth + 1, inner);
    value = inner;
    return end;
  }
  if (c === 0x6e) {
    if (b[i + 1] !== 0x75 || b[i + 2] !== 0x6c || b[i + 3] !== 0x6c) return -1;
    value = null;
    return i + 4;
  }
  const negative = c === 0x2d;
  const first = negative ? i + 1 : i;
  let j = first;
  let n = 0;
  for (;;) {
    const d = (b[j] as number) - 0x30;
    if (!(d >= 0 && d <= 9)) break;
    n = n * 10 + d;
    j++;
  }
  const digits = j - first;
  // JSON allows no leading zero; a fraction or exponent goes to JSON.parse.
  if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && b[first] === 0x30)) return -1;
  const next = b[j];
  if (next === 0x2e || next === 0x65 || next === 0x45) return -1;
  value = negative ? -n : n;
  return j;
}

/** `{ "key": value, ... }` at `i` into `out`: the index after its `}`, or -1. */
function readObject(b: Uint8Array, i: number, depth: number, out: Record<string, unknown>): number {
  if (b[i] !== 0x7b) return -1;
  i++;
  while (isSpace(b[i])) i++;
  if (b[i] === 0x7d) return i + 1;
  let seen = 0;
  for (;;) {
    while (isSpace(b[i])) i++;
    i = readKey(b, i);
    if (i < 0) return -1;
    const name = keyName;
    // A repeated key: JSON.parse keeps the last value but the first position; left to it.
    if (seen & keyBit) return -1;
    seen |= keyBit;
    while (isSpace(b[i])) i++;
    if (b[i] !== 0x3a) return -1;
    i++;
    while (isSpace(b[i])) i++;
    i = readValue(b, i, depth);
    if (i < 0) return -1;
    out[name] = value;
    while (isSpace(b[i])) i++;
    const c = b[i++];
    if (c === 0x7d) return i;
    if (c !== 0x2c) return -1;
  }
}

/**
 * The usage object starting at `b[start]` (`{`), parsed when it has the usual shape; otherwise
 * undefined (the caller parses it with `JSON.parse`).
 */
export function scanUsageObject(b: Uint8Array, start: number): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  return readObject(b, start, 1, out) < 0 ? undefined : out;
}

/** The bytes of the key searched for. */
export const USAGE_KEY = Buffer.from('"usage"');
/** The last bytes of a body searched in JavaScript; usage sits at the end of an answer. */
const TAIL = 2048;

/** Where the last `"usage"` starts in `b`, or -1: the tail is searched here, the rest by `lastIndexOf`. */
export function lastUsageKey(b: Buffer): number {
  const stop = Math.max(0, b.length - TAIL);
  const last = USAGE_KEY.length - 1;
  for (let p = b.length - USAGE_KEY.length; p >= stop; p--) {
    if (b[p] !== 0x22 || b[p + last] !== 0x22) continue;
    let j = 1;
    while (j < last && b[p + j] === USAGE_KEY[j]) j++;
    if (j === last) return p;
  }
  return stop === 0 ? -1 : b.lastIndexOf(USAGE_KEY, stop - 1);
}
