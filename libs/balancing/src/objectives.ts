import { blendedPricePerMtok, expectedCost, isStale } from "./estimates.js";
import type { Candidate, RequestHints } from "./types.js";

/** How a multi-objective strategy reads a candidate; shared by pareto_optimal and hybrid. */
export interface ObjectiveSettings {
  default_output_tokens: number;
  stale_after_ms: number;
}

/**
 * One candidate's objectives, all to minimise: expected latency (ms; unmeasured or stale = 0, so it
 * gets measured), expected cost of this request (USD; no price = +Infinity, never free) and error rate
 * (stale = 0).
 */
export function objectivesOf(
  c: Candidate,
  hints: RequestHints,
  o: ObjectiveSettings,
): { latency: number; cost: number; errorRate: number } {
  const stale = isStale(c, hints.now, o.stale_after_ms);
  const lat = c.health.expectedLatency(hints.stream);
  return {
    latency: stale || lat === undefined ? 0 : lat,
    cost: expectedCost(c, hints, o.default_output_tokens),
    errorRate: stale ? 0 : c.health.errorRate,
  };
}

/** True when a is at least as good as b on every objective and better on one. */
export function dominates(
  a: { latency: number; cost: number; errorRate: number },
  b: { latency: number; cost: number; errorRate: number },
): boolean {
  return (
    a.latency <= b.latency &&
    a.cost <= b.cost &&
    a.errorRate <= b.errorRate &&
    (a.latency < b.latency || a.cost < b.cost || a.errorRate < b.errorRate)
  );
}

/** Struct-of-arrays objectives for a balancer's candidates, refilled per request without allocating. */
export class ObjectiveTable {
  readonly latency: Float64Array;
  readonly cost: Float64Array;
  readonly errorRate: Float64Array;
  readonly inFlight: Float64Array;
  /** USD per million tokens for this request (SLO `max_cost_per_mtok`). */
  readonly pricePerMtok: Float64Array;

  constructor(
    private readonly list: readonly Candidate[],
    private readonly o: ObjectiveSettings,
  ) {
    const n = list.length;
    this.latency = new Float64Array(n);
    this.cost = new Float64Array(n);
    this.errorRate = new Float64Array(n);
    this.inFlight = new Float64Array(n);
    this.pricePerMtok = new Float64Array(n);
  }

  fill(hints: RequestHints): void {
    const { list, o } = this;
    for (let i = 0; i < list.length; i++) {
      const c = list[i] as Candidate;
      const stale = isStale(c, hints.now, o.stale_after_ms);
      const lat = c.health.expectedLatency(hints.stream);
      this.latency[i] = stale || lat === undefined ? 0 : lat;
      this.cost[i] = expectedCost(c, hints, o.default_output_tokens);
      this.errorRate[i] = stale ? 0 : c.health.errorRate;
      this.inFlight[i] = c.health.inFlight;
      this.pricePerMtok[i] = blendedPricePerMtok(c, hints, o.default_output_tokens);
    }
  }

  dominates(a: number, b: number): boolean {
    const la = this.latency[a] as number;
    const lb = this.latency[b] as number;
    const ca = this.cost[a] as number;
    const cb = this.cost[b] as number;
    const ea = this.errorRate[a] as number;
    const eb = this.errorRate[b] as number;
    return la <= lb && ca <= cb && ea <= eb && (la < lb || ca < cb || ea < eb);
  }
}

/** Min-max normalisation of `x` into 0..1 over [min, max]; +Infinity is the worst (1). */
export function normalize(x: number, min: number, max: number): number {
  if (x === Number.POSITIVE_INFINITY) return max === Number.POSITIVE_INFINITY && min === max ? 0 : 1;
  if (!(max > min)) return 0;
  return (x - min) / (max - min);
}

/** Min and finite max of `values` at the given indices (max falls back to +Infinity when none is finite). */
export function rangeOf(values: Float64Array, idx: Int32Array, count: number): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < count; j++) {
    const v = values[idx[j] as number] as number;
    if (v < min) min = v;
    if (v > max && v !== Number.POSITIVE_INFINITY) max = v;
  }
  if (max === Number.NEGATIVE_INFINITY) max = min;
  return { min, max };
}
