import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getStrategy } from "./registry.js";
import { seededRng } from "./rng.js";
import { type CandidateSpec, hints, makeCandidates, NOW } from "./test-fixtures.js";
import type { Candidate } from "./types.js";

/** Random live states for 1..8 candidates; p0 always exists (specified_provider pins it). */
export const arbSpecs = fc.array(
  fc.record(
    {
      weight: fc.integer({ min: 1, max: 10 }),
      preferred: fc.boolean(),
      priority: fc.integer({ min: 0, max: 2 }),
      price: fc.option(
        fc.record({
          input_per_mtok: fc.double({ min: 0, max: 30, noNaN: true }),
          output_per_mtok: fc.double({ min: 0, max: 60, noNaN: true }),
        }),
        { nil: undefined },
      ),
      open: fc.boolean(),
      latencyMs: fc.option(fc.integer({ min: 20, max: 8000 }), { nil: undefined }),
      successRate: fc.double({ min: 0, max: 1, noNaN: true }),
      inFlight: fc.integer({ min: 0, max: 6 }),
    },
    { requiredKeys: ["weight", "preferred", "priority", "open", "successRate", "inFlight"] },
  ) as fc.Arbitrary<CandidateSpec>,
  { minLength: 1, maxLength: 8 },
);

const arbHints = fc.record({
  promptTokens: fc.integer({ min: 0, max: 100_000 }),
  maxTokens: fc.option(fc.integer({ min: 1, max: 8000 }), { nil: undefined }),
  stream: fc.boolean(),
});

const available = (c: Candidate) => c.health.available(NOW);

/** Checks one order against the rules every strategy keeps; returns a reason, or undefined when it holds. */
export function orderProblem(all: readonly Candidate[], ordered: readonly Candidate[], tiers = true): string | undefined {
  if (ordered.length !== all.length) return `returned ${ordered.length} of ${all.length} candidates`;
  if (new Set(ordered).size !== ordered.length) return "a candidate appears twice";
  for (const c of ordered) if (!all.includes(c)) return `unknown candidate ${c.id}`;
  const firstDown = ordered.findIndex((c) => !available(c));
  if (firstDown >= 0 && ordered.slice(firstDown).some(available)) return "an open-breaker candidate comes before a healthy one";
  const up = all.filter(available);
  if (up.length === 0 || !tiers) return undefined;
  const first = ordered[0] as Candidate;
  const bestTier = Math.min(...up.map((c) => c.priority));
  if (first.priority !== bestTier) return `first is in tier ${first.priority} while tier ${bestTier} has a healthy candidate`;
  if (!first.preferred && up.some((c) => c.priority === bestTier && c.preferred)) return "a healthy preferred candidate was passed over";
  return undefined;
}

export interface ConformanceOptions {
  /** false for a strategy whose purpose is to override tiers and preference (specified_provider). */
  tiers?: boolean;
}

/**
 * The conformance suite every strategy runs (Hono's `common.case.test.ts` pattern): declares vitest
 * tests for the strategy registered under `name`, created with `options`.
 */
export function describeStrategyConformance(name: string, options: Record<string, unknown> = {}, conf: ConformanceOptions = {}): void {
  const tiers = conf.tiers ?? true;
  const strategy = getStrategy(name);
  const create = (cands: readonly Candidate[], seed = 7) => {
    if (!strategy) throw new Error(`no strategy ${name}`);
    return strategy.create(cands, options, seededRng(seed));
  };

  describe(`strategy conformance: ${name}`, () => {
    it("is registered", () => {
      expect(strategy).toBeDefined();
    });

    it("returns every candidate once, healthy ones first, best tier and preferred leading (repeated calls)", () => {
      fc.assert(
        fc.property(arbSpecs, arbHints, (specs, h) => {
          const cands = makeCandidates(specs);
          const b = create(cands);
          for (let k = 0; k < 5; k++) {
            const problem = orderProblem(cands, b.order(hints(h)), tiers);
            if (problem) throw new Error(problem);
          }
        }),
        { numRuns: 300, seed: 42 },
      );
    });

    it("never picks an open-breaker candidate while a healthy one exists", () => {
      const cands = makeCandidates([
        { open: true, latencyMs: 1, price: { input_per_mtok: 0, output_per_mtok: 0 } },
        { latencyMs: 9000 },
        { open: true },
      ]);
      const b = create(cands);
      for (let k = 0; k < 50; k++) expect(b.order(hints())[0]?.id).toBe("p1/m1");
    });

    it.runIf(tiers)("uses a lower tier only when the higher one has no healthy candidate", () => {
      const cands = makeCandidates([{ priority: 1 }, { priority: 0, open: true }, { priority: 0 }]);
      const b = create(cands);
      for (let k = 0; k < 20; k++) expect(b.order(hints())[0]?.id).toBe("p2/m2");
      const allDown = makeCandidates([{ priority: 1 }, { priority: 0, open: true }]);
      expect(create(allDown).order(hints())[0]?.id).toBe("p0/m0");
    });

    it("is deterministic with a seeded RNG", () => {
      fc.assert(
        fc.property(arbSpecs, fc.array(arbHints, { minLength: 1, maxLength: 20 }), (specs, hs) => {
          const run = () => {
            const b = create(makeCandidates(specs), 99);
            return hs.map((h) =>
              b
                .order(hints(h))
                .map((c) => c.id)
                .join(","),
            );
          };
          expect(run()).toEqual(run());
        }),
        { numRuns: 100, seed: 43 },
      );
    });

    it("does not mutate the candidate list it was given", () => {
      const cands = makeCandidates([{ weight: 1 }, { weight: 5, preferred: true }, { priority: 1 }]);
      const copy = [...cands];
      const b = create(cands);
      for (let k = 0; k < 10; k++) b.order(hints());
      expect(cands).toEqual(copy);
    });

    it("explains its choice in one header-safe line naming the first candidate", () => {
      const cands = makeCandidates([{ latencyMs: 100 }, { latencyMs: 200 }]);
      const b = create(cands);
      const ordered = b.order(hints());
      const text = b.explain?.(ordered, hints()) ?? "";
      expect(text).toMatch(/^[\x20-\x7e]+$/);
      expect(text).toContain(ordered[0]?.id);
    });

    it("rejects an unknown option with a message naming it", () => {
      expect(() => strategy?.create(makeCandidates([{}]), Object.assign({}, options, { no_such_knob: 1 }), Math.random)).toThrow(
        /no_such_knob/,
      );
    });
  });
}
