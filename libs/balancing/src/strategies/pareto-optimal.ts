import { z } from "zod";
import { DEFAULT_OUTPUT_TOKENS, fmt } from "../estimates.js";
import { normalize, ObjectiveTable, rangeOf } from "../objectives.js";
import { parseOptions } from "../options.js";
import { OrderBuffer } from "../order-helpers.js";
import type { BalancingStrategy, Candidate } from "../types.js";

const Weights = z
  .object({
    latency: z.number().min(0).default(1),
    cost: z.number().min(0).default(1),
    error_rate: z.number().min(0).default(1),
  })
  .strict();

const Options = z
  .object({
    /** Preference weights used to choose inside the non-dominated set. */
    weights: Weights.default({ latency: 1, cost: 1, error_rate: 1 }),
    /** SLO: expected latency (TTFT for streams) in ms. */
    max_latency_ms: z.number().positive().optional(),
    /** SLO: error rate, 0..1. */
    max_error_rate: z.number().min(0).max(1).optional(),
    /** SLO: the request's blended price in USD per million tokens. */
    max_cost_per_mtok: z.number().min(0).optional(),
    /** Share of requests sent to a random member of the non-dominated set (keeps its measurements fresh). */
    epsilon: z.number().min(0).max(1).default(0.02),
    default_output_tokens: z.number().int().positive().default(DEFAULT_OUTPUT_TOKENS),
    stale_after_ms: z.number().positive().default(60_000),
  })
  .strict();

const OVER = (x: number, limit: number | undefined) => (limit === undefined || x <= limit ? 0 : limit === 0 ? 1e6 : x / limit - 1);

/**
 * Multi-objective choice over (expected latency, expected cost, error rate). SLOs filter first; with no
 * candidate meeting them, the least-violating ones are used instead of failing. The non-dominated
 * (Pareto) set of what remains is found, and one of its members is chosen by the preference weights
 * over min-max normalised objectives. The first choice is never dominated by another candidate of its
 * group. Failover: the rest of the front, then dominated candidates, then SLO violators.
 */
export const paretoOptimal: BalancingStrategy = {
  name: "pareto_optimal",
  description: "Non-dominated set over (latency, cost, error rate) after optional SLOs; chosen by preference weights.",
  options: {
    weights: "{latency, cost, error_rate} preference weights inside the front (default 1 each)",
    max_latency_ms: "SLO on expected latency / TTFT in ms (optional)",
    max_error_rate: "SLO on error rate 0..1 (optional)",
    max_cost_per_mtok: "SLO on the request's blended price, USD per million tokens (optional)",
    epsilon: "share of random picks inside the front (default 0.02)",
    default_output_tokens: "output tokens assumed when the request sets no max (default 512)",
    stale_after_ms: "measurements older than this count as unknown (default 60000)",
  },
  create(candidates, options, rng) {
    const o = parseOptions(Options, options, "pareto_optimal");
    const w = o.weights;
    const buf = new OrderBuffer(candidates);
    const t = new ObjectiveTable(candidates, o);
    const n = buf.n;
    const violation = new Float64Array(n);
    const group = new Int32Array(n); // feasible (or least-violating) lead-group members
    const front = new Int32Array(n);
    let groupCount = 0;
    let frontCount = 0;
    let feasibleExists = true;
    let explored = false;
    let turn = 0;
    const hasSlo = o.max_latency_ms !== undefined || o.max_error_rate !== undefined || o.max_cost_per_mtok !== undefined;

    return {
      order(hints) {
        buf.classify(hints.now);
        t.fill(hints);
        // 1. SLO filter inside the lead group; with nothing feasible, keep the least-violating.
        let minViolation = Number.POSITIVE_INFINITY;
        for (let i = 0; i < n; i++) {
          const v = hasSlo
            ? OVER(t.latency[i] as number, o.max_latency_ms) +
              OVER(t.errorRate[i] as number, o.max_error_rate) +
              OVER(t.pricePerMtok[i] as number, o.max_cost_per_mtok)
            : 0;
          violation[i] = v;
          if (buf.isLead(i) && v < minViolation) minViolation = v;
        }
        feasibleExists = minViolation === 0;
        groupCount = 0;
        for (let j = 0; j < buf.leadCount; j++) {
          const i = buf.lead[j] as number;
          if (violation[i] === minViolation) group[groupCount++] = i;
        }
        // 2. Non-dominated set of the group.
        frontCount = 0;
        for (let a = 0; a < groupCount; a++) {
          const i = group[a] as number;
          let dominated = false;
          for (let b = 0; b < groupCount && !dominated; b++) if (b !== a && t.dominates(group[b] as number, i)) dominated = true;
          if (!dominated) front[frontCount++] = i;
        }
        // 3. Scalarise by the preference weights (normalised over the group) for the whole order.
        const L = rangeOf(t.latency, group, groupCount);
        const C = rangeOf(t.cost, group, groupCount);
        const E = rangeOf(t.errorRate, group, groupCount);
        for (let i = 0; i < n; i++) {
          const score =
            w.latency * normalize(t.latency[i] as number, L.min, L.max) +
            w.cost * normalize(t.cost[i] as number, C.min, C.max) +
            w.error_rate * normalize(t.errorRate[i] as number, E.min, E.max);
          // Front members first, then the rest by score, SLO violators last.
          buf.key[i] = (violation[i] as number) * 1000 + score + 100;
        }
        for (let a = 0; a < frontCount; a++) buf.key[front[a] as number] = (buf.key[front[a] as number] as number) - 200;
        let leader: number;
        explored = frontCount > 1 && o.epsilon > 0 && rng() < o.epsilon;
        if (explored) leader = front[Math.floor(rng() * frontCount)] as number;
        else {
          leader = -1;
          for (let a = 0; a < frontCount; a++) {
            const i = front[(a + turn) % frontCount] as number;
            if (leader < 0 || (buf.key[i] as number) < (buf.key[leader] as number)) leader = i;
          }
          turn++;
        }
        return buf.emit(leader);
      },
      explain(ordered, hints) {
        const first = ordered[0] as Candidate;
        const i = candidates.indexOf(first);
        const names: string[] = [];
        for (let a = 0; a < frontCount; a++) names.push((candidates[front[a] as number] as Candidate).id);
        const slo = !hasSlo ? "no SLO" : feasibleExists ? `${groupCount} meet the SLO` : `none meets the SLO, least violating kept`;
        const why = explored
          ? `random member of the front (epsilon ${o.epsilon})`
          : `best by weights latency ${w.latency}/cost ${w.cost}/error ${w.error_rate}`;
        return (
          `pareto: ${slo}; front [${names.join(", ")}]; picked ${first.id} (${why}): ` +
          `latency ${fmt(t.latency[i])}ms, cost $${fmt((t.cost[i] as number) * 1000, 4)}/1k req, error ${fmt(t.errorRate[i], 3)}` +
          (hints.stream ? " (stream: TTFT)" : "")
        );
      },
    };
  },
};
