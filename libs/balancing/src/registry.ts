import { roundRobin } from "./strategies/round-robin.js";
import { weightedRoundRobin } from "./strategies/weighted-round-robin.js";
import type { BalancingStrategy } from "./types.js";

const strategies = new Map<string, BalancingStrategy>();

export function registerStrategy(s: BalancingStrategy, ...aliases: string[]): void {
  strategies.set(s.name, s);
  for (const a of aliases) strategies.set(a, s);
}

export function getStrategy(name: string): BalancingStrategy | undefined {
  return strategies.get(name);
}

export function strategyNames(): string[] {
  return [...strategies.keys()];
}

registerStrategy(roundRobin);
registerStrategy(weightedRoundRobin);
