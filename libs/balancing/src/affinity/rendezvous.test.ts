import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbSpecs, orderProblem } from "../conformance.js";
import { describeStrategies, getStrategy } from "../registry.js";
import { seededRng } from "../rng.js";
import { hints, makeCandidates, NOW } from "../test-fixtures.js";
import type { Balancer, Candidate } from "../types.js";
import { HASH_SEED, hashJson, hashString, rendezvousIndex } from "./conversation-hash.js";
import { withAffinity } from "./rendezvous.js";

const sticky = (cands: readonly Candidate[], strategy = "weighted_round_robin", seed = 1): Balancer => {
  const s = getStrategy(strategy);
  if (!s) throw new Error(strategy);
  const options = strategy === "specified_provider" ? { specified_provider: "p0", failover: true } : {};
  return withAffinity(s.create(cands, options, seededRng(seed)), cands, "session");
};
const conv = (i: number) => hashString(HASH_SEED, `conversation-${i}`);

describe("session affinity (weighted rendezvous)", () => {
  it("keeps the house rules over every strategy, for any conversation", () => {
    for (const { name } of describeStrategies()) {
      fc.assert(
        fc.property(arbSpecs, fc.integer({ min: 0, max: 0xffffffff }), (specs, key) => {
          const cands = makeCandidates(specs);
          const problem = orderProblem(cands, sticky(cands, name).order(hints({ affinity: key })), name !== "specified_provider");
          if (problem) throw new Error(`${name}: ${problem}`);
        }),
        { numRuns: 100, seed: 24 },
      );
    }
  });

  it("sends a conversation to the same target on every turn and in every replica", () => {
    const specs = [{}, {}, {}];
    const a = sticky(makeCandidates(specs), "round_robin", 1);
    const b = sticky(makeCandidates(specs), "round_robin", 99);
    for (let i = 0; i < 200; i++) {
      const first = a.order(hints({ affinity: conv(i) }))[0]?.id;
      for (let turn = 0; turn < 5; turn++) expect(a.order(hints({ affinity: conv(i) }))[0]?.id).toBe(first);
      expect(b.order(hints({ affinity: conv(i) }))[0]?.id).toBe(first);
    }
  });

  it("spreads conversations by weight (10,000 conversations, 5:3:2 within 2 points)", () => {
    const cands = makeCandidates([{ weight: 5 }, { weight: 3 }, { weight: 2 }]);
    const b = sticky(cands);
    const n = 10_000;
    const count = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const id = b.order(hints({ affinity: conv(i) }))[0]?.id as string;
      count.set(id, (count.get(id) ?? 0) + 1);
    }
    expect(Math.abs((count.get("p0/m0") ?? 0) / n - 0.5)).toBeLessThan(0.02);
    expect(Math.abs((count.get("p1/m1") ?? 0) / n - 0.3)).toBeLessThan(0.02);
    expect(Math.abs((count.get("p2/m2") ?? 0) / n - 0.2)).toBeLessThan(0.02);
  });

  it("moves a conversation whose target is down to its runner-up, the same in every replica, and back after", () => {
    const up = makeCandidates([{}, {}, {}]);
    const orderUp = sticky(up).order(hints({ affinity: conv(7) }));
    const winner = up.indexOf(orderUp[0] as Candidate);
    const specs = [{}, {}, {}].map((s, i) => (i === winner ? { open: true } : s));
    const down = makeCandidates(specs);
    const replicaA = sticky(down, "round_robin", 3).order(hints({ affinity: conv(7) }));
    const replicaB = sticky(down, "least_connections", 4).order(hints({ affinity: conv(7) }));
    expect(replicaA[0]?.id).toBe(orderUp[1]?.id);
    expect(replicaB[0]?.id).toBe(orderUp[1]?.id);
    expect(replicaA.at(-1)?.id).toBe(orderUp[0]?.id);
    // Once the breaker has closed again (a minute later), the conversation is back on its own target.
    expect(sticky(down).order(hints({ affinity: conv(7), now: NOW + 60_000 }))[0]?.id).toBe(orderUp[0]?.id);
  });

  it("moves only the conversations of a removed target", () => {
    const three = sticky(makeCandidates([{}, {}, {}]));
    const two = sticky(makeCandidates([{}, {}]));
    let moved = 0;
    for (let i = 0; i < 2000; i++) {
      const before = three.order(hints({ affinity: conv(i) }))[0]?.id;
      const after = two.order(hints({ affinity: conv(i) }))[0]?.id;
      if (before !== "p2/m2" && before !== after) moved++;
    }
    expect(moved).toBe(0);
  });

  it("leaves requests without a conversation to the strategy, and mode off to the strategy alone", () => {
    const cands = makeCandidates([{}, {}, {}]);
    const seen = new Set<string>();
    const b = sticky(cands, "round_robin");
    for (let i = 0; i < 6; i++) seen.add(b.order(hints())[0]?.id as string);
    expect(seen.size).toBe(3);
    const inner = getStrategy("round_robin")?.create(cands, {}, Math.random) as Balancer;
    expect(withAffinity(inner, cands, "off")).toBe(inner);
  });

  it("explains the choice naming the conversation and the target", () => {
    const cands = makeCandidates([{}, {}]);
    const b = sticky(cands);
    const h = hints({ affinity: 0xabc });
    const text = b.explain?.(b.order(h), h) ?? "";
    expect(text).toMatch(/^[\x20-\x7e]+$/);
    expect(text).toContain("00000abc");
  });
});

describe("conversation hashes", () => {
  it("hash a JSON value within a budget: equal prefixes agree, later parts beyond the budget do not count", () => {
    const start = { system: "You are helpful.", tools: [{ name: "read", description: "x".repeat(200) }] };
    const a = hashJson(HASH_SEED, start, { left: 100 });
    const b = hashJson(
      HASH_SEED,
      { ...start, tools: [{ name: "read", description: `${"x".repeat(200)}${"y".repeat(10_000)}` }] },
      { left: 100 },
    );
    const c = hashJson(HASH_SEED, { ...start, system: "You are terse." }, { left: 100 });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it("picks API keys by rendezvous: removing a key moves only its conversations", () => {
    const seeds = [11, 22, 33, 44];
    let moved = 0;
    for (let i = 0; i < 1000; i++) {
      const before = rendezvousIndex(conv(i), seeds);
      const after = rendezvousIndex(conv(i), seeds.slice(0, 3));
      if (before !== 3 && before !== after) moved++;
    }
    expect(moved).toBe(0);
  });
});
