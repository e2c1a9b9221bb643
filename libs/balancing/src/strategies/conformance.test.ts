import { describeStrategyConformance } from "../conformance.js";
import { describeStrategies, strategyNames } from "../registry.js";

// Every registered strategy (new ones included automatically) runs the shared suite.
const optionsFor: Record<string, Record<string, unknown>> = {
  specified_provider: { specified_provider: "p0", failover: true },
  pareto_optimal: { max_latency_ms: 2000, max_error_rate: 0.2, max_cost_per_mtok: 20 },
};

for (const s of describeStrategies()) {
  describeStrategyConformance(s.name, optionsFor[s.name] ?? {}, { tiers: s.name !== "specified_provider" });
}
// Pareto without SLOs, and the aliases kept from the original.
describeStrategyConformance("auto");
for (const alias of ["response_time", "priority"]) if (strategyNames().includes(alias)) describeStrategyConformance(alias);
