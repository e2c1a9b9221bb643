/**
 * Pieces of hand-built JSON lines (the access log, usage records): the request path writes one or two
 * lines per request, and `JSON.stringify` of a whole record walks it generically (~5 us a record here).
 */

/** A JSON number, or `null` for a missing or non-finite one (as `JSON.stringify` writes NaN). */
export const num = (v: number | null | undefined): string => (v == null || !Number.isFinite(v) ? "null" : String(v));

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

/** `new Date(ms).toISOString()`, computed once per millisecond (lines written together share one). */
export class IsoClock {
  private ms = -1;
  private iso = "";

  now(): string {
    return this.at(Date.now());
  }

  at(time: number): string {
    const ms = Math.floor(time);
    if (ms !== this.ms) {
      this.ms = ms;
      this.iso = new Date(ms).toISOString();
    }
    return this.iso;
  }
}
