import type { Price } from "@ai-router/contracts";
import { getStrategy, strategyNames } from "./registry.js";
import { TargetHealth } from "./target-health.js";
import type { Candidate } from "./types.js";

/** What a strategy is told of a target before any traffic (the compiled table's fields). */
export interface TargetShape {
  provider: string;
  upstreamModel: string;
  weight: number;
  preferred: boolean;
  priority: number;
  price?: Price | undefined;
}

/**
 * Checks a strategy name and its options exactly as a proxy will when it builds the table (the control
 * plane calls it, so a bad value is a 400 at the API instead of a table every proxy refuses). Returns the problem, or undefined.
 */
export function checkStrategy(name: string, options: Record<string, unknown>, targets: readonly TargetShape[]): string | undefined {
  const strategy = getStrategy(name);
  if (!strategy) return `unknown strategy "${name}" (known: ${strategyNames().join(", ")})`;
  const health = new TargetHealth({ failureThreshold: 3, cooldownMs: 30_000 });
  const candidates: Candidate[] = (
    targets.length > 0 ? targets : [{ provider: "p", upstreamModel: "m", weight: 1, preferred: false, priority: 0 }]
  ).map((t) => ({
    id: `${t.provider}/${t.upstreamModel}`,
    provider: t.provider,
    upstreamModel: t.upstreamModel,
    weight: t.weight,
    preferred: t.preferred,
    priority: t.priority,
    price: t.price,
    health,
  }));
  try {
    strategy.create(candidates, options, Math.random);
    return undefined;
  } catch (err) {
    return `strategy "${name}": ${(err as Error).message}`;
  }
}
