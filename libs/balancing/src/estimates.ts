import type { Candidate, RequestHints } from "./types.js";

/** Output tokens assumed when a request sets no max tokens. */
export const DEFAULT_OUTPUT_TOKENS = 512;

/**
 * Expected USD cost of this request on `c`: prompt tokens at the input price plus expected output
 * tokens at the output price. A candidate with no price is never free: its cost is +Infinity.
 */
export function expectedCost(c: Candidate, hints: RequestHints, defaultOutputTokens = DEFAULT_OUTPUT_TOKENS): number {
  const p = c.price;
  if (!p) return Number.POSITIVE_INFINITY;
  const out = hints.maxTokens ?? defaultOutputTokens;
  return (hints.promptTokens * p.input_per_mtok + out * p.output_per_mtok) / 1e6;
}

/** The request's blended price in USD per million tokens on `c` (+Infinity with no price). */
export function blendedPricePerMtok(c: Candidate, hints: RequestHints, defaultOutputTokens = DEFAULT_OUTPUT_TOKENS): number {
  const p = c.price;
  if (!p) return Number.POSITIVE_INFINITY;
  const out = hints.maxTokens ?? defaultOutputTokens;
  const total = hints.promptTokens + out;
  if (total <= 0) return (p.input_per_mtok + p.output_per_mtok) / 2;
  return (hints.promptTokens * p.input_per_mtok + out * p.output_per_mtok) / total;
}

/** Formats a number for an explanation. */
export function fmt(x: number | undefined, digits = 0): string {
  if (x === undefined) return "?";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return x.toFixed(digits);
}

/** True when a candidate's measurements are older than `staleMs` (it has been out of traffic a while). */
export function isStale(c: Candidate, now: number, staleMs: number): boolean {
  return c.health.lastOutcomeAt !== 0 && now - c.health.lastOutcomeAt > staleMs;
}
