/**
 * Pieces of hand-built JSON lines (the access log, usage records): the request path writes one or two
 * lines per request, and `JSON.stringify` of a whole record walks it generically (~5 us a record here).
 */

/** A JSON number, or `null` for a missing or non-finite one (as `JSON.stringify` writes NaN). */
export const num = (v: number | null | undefined): string => (v == null || !Number.isFinite(v) ? "null" : String(v));

/** The last amount `amount` formatted, and its text. */
let lastAmount = Number.NaN;
let lastAmountText = "null";

/**
 * `num` for a request's cost: it is written twice in a row (the access-log line, then the usage
 * record), and a double's shortest decimal form costs ~0.2 us, so the last one is kept.
 */
export function amount(v: number | null | undefined): string {
  if (v === lastAmount) return lastAmountText;
  const text = num(v);
  if (typeof v === "number") {
    lastAmount = v;
    lastAmountText = text;
  }
  return text;
}

/**
 * The same text as `num` for a number with at most two decimals (durations rounded to 0.01 ms), built
 * from integers: a double's shortest decimal form costs ~0.2 us, an integer's almost nothing. Any
 * other number goes to `num`.
 */
export function num2(v: number | null | undefined): string {
  if (v == null || v < 0) return num(v);
  const x = Math.round(v * 100);
  if (x / 100 !== v || x > 9007199254740991) return num(v);
  const frac = x % 100;
  const int = (x - frac) / 100;
  if (frac === 0) return `${int}`;
  if (frac % 10 === 0) return `${int}.${frac / 10}`;
  return `${int}.${frac < 10 ? "0" : ""}${frac}`;
}

/** A JSON string (escaped), or `null`. */
export const str = (v: string | null | undefined): string => (v == null ? "null" : JSON.stringify(v));

/**
 * JSON string literals of the names that repeat on every line (models, providers, key names), escaped
 * once. Bounded: past the limit (names chosen by clients), values are escaped on each line.
 */
export class Quoted {
  private readonly cache = new Map<string, string>();
  constructor(private readonly max = 1024) {}

  of(v: string | null | undefined): string {
    if (v == null) return "null";
    let q = this.cache.get(v);
    if (q === undefined) {
      q = JSON.stringify(v);
      if (this.cache.size < this.max) this.cache.set(v, q);
    }
    return q;
  }
}

/**
 * `new Date(ms).toISOString()`, formatted once per second: within a second only the milliseconds
 * change, and they are appended to the second's prefix (lines written together share it).
 */
export class IsoClock {
  private second = Number.NaN;
  /** `2026-11-30T06:00:00.` of the current second. */
  private prefix = "";

  now(): string {
    return this.at(Date.now());
  }

  at(time: number): string {
    const ms = Math.floor(time);
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      const iso = new Date(second * 1000).toISOString();
      // Years past 9999 (never, in practice) have a longer form: formatted whole.
      if (iso.length !== 24) return new Date(ms).toISOString();
      this.second = second;
      this.prefix = iso.slice(0, 20);
    }
    const m = ms - second * 1000;
    return `${this.prefix}${m < 10 ? "00" : m < 100 ? "0" : ""}${m}Z`;
  }
}
