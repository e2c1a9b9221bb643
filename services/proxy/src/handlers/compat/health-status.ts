import type { TargetHealth } from "@ai-router/balancing";
import type { UsageTotals } from "../../record/usage-recorder.js";
import type { LiveTarget } from "../../routing/runtime-table.js";

/** The original's status values; `unknown` = no outcome recorded yet. */
export type HealthStatus = "healthy" | "degraded" | "unhealthy" | "unknown";

/** A target whose success-rate EWMA is below this is degraded (two failures in a row after a clean run). */
export const DEGRADED_BELOW = 0.8;

/**
 * A target's status: an operator's verdict when one is set (`PUT /v1/providers/{name}/health`), else
 * from its passive health (never a probe): breaker open -> unhealthy; half-open
 * (its trial is due) or success rate below {@link DEGRADED_BELOW} -> degraded; no success or failure
 * recorded yet -> unknown; otherwise healthy.
 */
export function targetStatus(h: TargetHealth, now: number): HealthStatus {
  if (h.manual !== undefined) return h.manual;
  const breaker = h.breakerAt(now);
  if (breaker === "open") return "unhealthy";
  if (breaker === "half_open") return "degraded";
  if (h.lastOutcomeAt === 0) return "unknown";
  return h.successRate < DEGRADED_BELOW ? "degraded" : "healthy";
}

export interface StatusCounts {
  healthy: number;
  degraded: number;
  unhealthy: number;
  unknown: number;
}

export const countStatuses = (statuses: Iterable<HealthStatus>): StatusCounts => {
  const c: StatusCounts = { healthy: 0, degraded: 0, unhealthy: 0, unknown: 0 };
  for (const s of statuses) c[s]++;
  return c;
};

/**
 * The original's aggregation over the parts whose status is known: all healthy -> healthy, all
 * unhealthy -> unhealthy, otherwise degraded; nothing known -> unknown. (The original called a model
 * whose providers were all merely degraded "unhealthy"; it still serves, so here it is degraded.)
 */
export function aggregateStatus(c: StatusCounts): HealthStatus {
  const known = c.healthy + c.degraded + c.unhealthy;
  if (known === 0) return "unknown";
  if (c.healthy === known) return "healthy";
  if (c.unhealthy === known) return "unhealthy";
  return "degraded";
}

const HEALTH_SCORE = { healthy: 1, degraded: 0.5, unhealthy: 0.1 } as const;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** One target as the original's link statistics saw it, computed from live data. */
export interface TargetView {
  status: HealthStatus;
  /** Seconds (the original's unit): EWMA of the JSON latency, else of the time to first token. */
  responseTime: number | null;
  /** Success-rate EWMA (what the balancer acts on); null before any outcome. */
  successRate: number | null;
  /** USD per 1k tokens: measured when priced traffic was served, else the mean of the list prices. */
  costPer1k: number | null;
  /** 0.4 health + 0.4 performance + 0.2 cost (the original's formula); null while unknown. */
  overallScore: number | null;
}

/** Builds a target's view: status, the original's per-link numbers and its overall score. */
export function viewTarget(t: LiveTarget, usage: UsageTotals | undefined, now: number): TargetView {
  const h = t.health;
  const status = targetStatus(h, now);
  const latency = h.expectedLatency(false);
  const responseTime = latency === undefined ? null : round3(latency / 1000);
  const successRate = status === "unknown" ? null : round3(h.successRate);
  let costPer1k: number | null = null;
  if (usage && usage.pricedTokens > 0) costPer1k = (usage.costUsd / usage.pricedTokens) * 1000;
  else if (t.price) costPer1k = (t.price.input_per_mtok + t.price.output_per_mtok) / 2 / 1000;
  let overallScore: number | null = null;
  if (status !== "unknown") {
    const performance = 0.5 * Math.max(0, 1 - (responseTime ?? 0) / 10) + 0.5 * h.successRate;
    const cost = Math.max(0, 1 - (costPer1k ?? 0) / 0.1);
    overallScore = round3(0.4 * HEALTH_SCORE[status] + 0.4 * performance + 0.2 * cost);
  }
  return { status, responseTime, successRate, costPer1k, overallScore };
}

/** Mean of the values that are known; null when none is. */
export function meanKnown(values: Iterable<number | null>): number | null {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v === null) continue;
    sum += v;
    n++;
  }
  return n === 0 ? null : round3(sum / n);
}
