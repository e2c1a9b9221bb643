import type { Price } from "@ai-router/contracts";
import type { TargetHealth } from "./target-health.js";

/** One (provider, upstream model) a model can be served by, with its live health. */
export interface Candidate {
  /** `provider/upstreamModel`, unique within a model. */
  readonly id: string;
  readonly provider: string;
  readonly upstreamModel: string;
  readonly weight: number;
  readonly preferred: boolean;
  /** Lower = higher tier. */
  readonly priority: number;
  readonly price: Price | undefined;
  readonly health: TargetHealth;
}

/** What the request tells a strategy. */
export interface RequestHints {
  /** Estimated prompt tokens. */
  promptTokens: number;
  /** The request's max output tokens, if set. */
  maxTokens: number | undefined;
  stream: boolean;
  /** Current time in ms (injected so tests are deterministic). */
  now: number;
  /**
   * The conversation's 32-bit hash when the model keeps conversations on one target (session
   * affinity, see `affinity/rendezvous.ts`); undefined otherwise.
   */
  affinity?: number | undefined;
}

/** A model's balancer: holds the strategy's state (counters) for that model's candidates. */
export interface Balancer {
  /**
   * Candidates in try order: the first is tried first, the rest are the failover order. Available
   * candidates come first, by priority tier then preferred; candidates with an open breaker come last.
   */
  order(hints: RequestHints): Candidate[];
  /**
   * Why `ordered` (the result of the `order()` call just made with the same hints) starts where it
   * does, in one line of ASCII. Only called for debug requests, so it may allocate.
   */
  explain?(ordered: readonly Candidate[], hints: RequestHints): string;
}

/** A strategy: a factory of balancers. Strategies are pure apart from their own counters. */
export interface BalancingStrategy {
  readonly name: string;
  readonly description: string;
  /** One line per option, for `/v1/load-balancing/strategies` and the docs. */
  readonly options?: Readonly<Record<string, string>>;
  /** Validates `options` (throws a StrategyOptionsError with a readable message) and builds a balancer. */
  create(candidates: readonly Candidate[], options: Record<string, unknown>, rng: () => number): Balancer;
}
