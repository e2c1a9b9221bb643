import type { Price } from "@ai-router/contracts";

/** A time window in simulated seconds. */
export interface Window {
  from: number;
  to: number;
}

/** A synthetic provider: latency distribution, load sensitivity, error behaviour and price. */
export interface SyntheticProvider {
  name: string;
  /** Median total latency of a JSON answer (ms) and of the first token of a stream. */
  medianMs: number;
  medianTtftMs: number;
  /** Log-normal spread. */
  sigma: number;
  /** Output tokens per second while streaming. */
  tokensPerSec: number;
  /** Concurrent requests served at full speed; beyond it latency grows, and past 1.5x it answers 429. */
  capacity: number;
  /** Base probability of a 5xx. */
  errorRate: number;
  /** Error bursts: windows with a much higher error rate. */
  bursts: (Window & { errorRate: number })[];
  /** Outages: every connection is refused. */
  outages: Window[];
  /** Slow periods: latency multiplied. */
  slow: (Window & { factor: number })[];
  /** Price the router is told (undefined = not configured). */
  price: Price | undefined;
  /** Price actually billed (for the report). */
  billed: Price;
  /** Config weight (weighted round robin). */
  weight: number;
}

/** The scenario `npm run simulate` replays: ten minutes of mixed traffic over four providers. */
export const SCENARIO = {
  seed: 20250101,
  durationS: 600,
  ratePerS: 40,
  /** Share of streaming requests. */
  streamShare: 0.3,
  maxAttempts: 3,
  health: { failureThreshold: 3, cooldownMs: 30_000 },
  providers: [
    {
      name: "premium",
      medianMs: 700,
      medianTtftMs: 250,
      sigma: 0.35,
      tokensPerSec: 90,
      capacity: 80,
      errorRate: 0.005,
      bursts: [],
      outages: [],
      // Slow, then recovered: does the strategy notice both?
      slow: [{ from: 120, to: 240, factor: 5 }],
      price: { input_per_mtok: 5, output_per_mtok: 15 },
      billed: { input_per_mtok: 5, output_per_mtok: 15 },
      weight: 2,
    },
    {
      name: "standard",
      medianMs: 1100,
      medianTtftMs: 400,
      sigma: 0.4,
      tokensPerSec: 70,
      capacity: 100,
      errorRate: 0.01,
      bursts: [],
      outages: [{ from: 360, to: 450 }],
      slow: [],
      price: { input_per_mtok: 1, output_per_mtok: 3 },
      billed: { input_per_mtok: 1, output_per_mtok: 3 },
      weight: 3,
    },
    {
      name: "budget",
      medianMs: 2200,
      medianTtftMs: 900,
      sigma: 0.5,
      tokensPerSec: 40,
      capacity: 150,
      errorRate: 0.02,
      bursts: [{ from: 200, to: 280, errorRate: 0.4 }],
      outages: [],
      slow: [],
      price: { input_per_mtok: 0.15, output_per_mtok: 0.6 },
      billed: { input_per_mtok: 0.15, output_per_mtok: 0.6 },
      weight: 3,
    },
    {
      name: "unpriced",
      medianMs: 800,
      medianTtftMs: 300,
      sigma: 0.35,
      tokensPerSec: 80,
      capacity: 60,
      errorRate: 0.01,
      bursts: [],
      outages: [],
      slow: [],
      // Nobody entered its price: a strategy must not treat it as free.
      price: undefined,
      billed: { input_per_mtok: 3, output_per_mtok: 12 },
      weight: 2,
    },
  ] satisfies SyntheticProvider[],
};

/** Strategy runs in the report: every registered strategy, plus Pareto with an SLO. */
export const RUNS: { label: string; strategy: string; options: Record<string, unknown> }[] = [
  { label: "round_robin", strategy: "round_robin", options: {} },
  { label: "weighted_round_robin", strategy: "weighted_round_robin", options: {} },
  { label: "least_connections", strategy: "least_connections", options: {} },
  { label: "fallback", strategy: "fallback", options: {} },
  { label: "specified_provider(standard)", strategy: "specified_provider", options: { specified_provider: "standard" } },
  { label: "performance_based", strategy: "performance_based", options: {} },
  { label: "cost_optimized", strategy: "cost_optimized", options: {} },
  { label: "hybrid", strategy: "hybrid", options: {} },
  { label: "pareto_optimal", strategy: "pareto_optimal", options: {} },
  {
    label: "pareto_optimal+SLO",
    strategy: "pareto_optimal",
    options: { max_latency_ms: 1500, max_error_rate: 0.05, weights: { latency: 1, cost: 2, error_rate: 1 } },
  },
];
