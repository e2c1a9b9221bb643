import { costOptimized } from "./strategies/cost-optimized.js";
import { fallback } from "./strategies/fallback.js";
import { hybrid } from "./strategies/hybrid.js";
import { leastConnections } from "./strategies/least-connections.js";
import { paretoOptimal } from "./strategies/pareto-optimal.js";
import { performanceBased } from "./strategies/performance-based.js";
import { roundRobin } from "./strategies/round-robin.js";
import { specifiedProvider } from "./strategies/specified-provider.js";
import { weightedRoundRobin } from "./strategies/weighted-round-robin.js";
import type { BalancingStrategy } from "./types.js";

const strategies = new Map<string, BalancingStrategy>();
const aliasesOf = new Map<string, string[]>();

/** Registers a strategy under its name and any aliases (names kept for the original's configs). */
export function registerStrategy(s: BalancingStrategy, ...aliases: string[]): void {
  strategies.set(s.name, s);
  for (const a of aliases) strategies.set(a, s);
  aliasesOf.set(s.name, [...(aliasesOf.get(s.name) ?? []), ...aliases]);
}

/** The strategy registered under `name` (a real name or an alias). */
export function getStrategy(name: string): BalancingStrategy | undefined {
  return strategies.get(name);
}

/** Every accepted name, aliases included. */
export function strategyNames(): string[] {
  return [...strategies.keys()];
}

/** One entry per real strategy, for `/v1/load-balancing/strategies` and the docs. */
export function describeStrategies(): { name: string; aliases: string[]; description: string; options: Record<string, string> }[] {
  const out = [];
  for (const [name, s] of strategies) {
    if (s.name !== name) continue;
    out.push({ name, aliases: aliasesOf.get(name) ?? [], description: s.description, options: { ...s.options } });
  }
  return out;
}

registerStrategy(roundRobin);
registerStrategy(weightedRoundRobin);
registerStrategy(performanceBased, "response_time");
registerStrategy(leastConnections);
registerStrategy(costOptimized);
registerStrategy(paretoOptimal, "auto");
registerStrategy(fallback, "priority");
registerStrategy(specifiedProvider);
registerStrategy(hybrid);
