/**
 * Text a client (or an upstream) controls, made safe for usage records: what a record carries goes to
 * a JSON batch on NATS, a Postgres row (`text` and `jsonb` refuse NUL, `jsonb` refuses a lone
 * surrogate), log lines, the console and the CSV export.
 */

/**
 * The longest name a record keeps (model names, error codes). Model names in the admin API and in
 * router.yaml are at most 256 characters, so a longer name names no model; the ledger's usage filters
 * take at most 256 too. Far under Postgres's ~2.7 kB b-tree row limit (`usage_records` indexes `model`).
 */
export const RECORD_NAME_MAX = 256;

/** C0 controls, DEL and any surrogate: a cheap test, true for a few safe strings too (emoji: surrogate pairs). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
const SUSPECT = /[\u0000-\u001f\u007f\ud800-\udfff]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
const CONTROLS = /[\u0000-\u001f\u007f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `s` cut to `max` UTF-16 units, with C0 controls (NUL, newlines...), DEL and lone surrogates (a pair
 * cut in two included) replaced by U+FFFD. The usual name (short, printable) is returned as it is,
 * after one length check and one regex test.
 */
export function recordText(s: string, max = RECORD_NAME_MAX): string {
  if (s.length <= max && !SUSPECT.test(s)) return s;
  const cut = s.length > max ? s.slice(0, max) : s;
  return cut.replace(CONTROLS, "\ufffd").replace(LONE_SURROGATE, "\ufffd");
}

/** `recordText` for a nullable field. */
export const recordTextOrNull = (s: string | null | undefined, max = RECORD_NAME_MAX): string | null =>
  s == null ? null : recordText(s, max);

/**
 * `s` made storable by Postgres (`text` and `jsonb`): NUL and lone surrogates replaced by U+FFFD, nothing
 * cut. What the ledger writer applies to every string of a record, whatever proxy release sent it.
 */
export function storableText(s: string): string {
  if (!STORABLE_SUSPECT.test(s)) return s;
  return s.replace(NUL, "\ufffd").replace(LONE_SURROGATE, "\ufffd");
}
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
const STORABLE_SUSPECT = /[\u0000\ud800-\udfff]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
const NUL = /\u0000/g;
