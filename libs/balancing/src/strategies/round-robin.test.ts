import { describe, expect, it } from "vitest";
import { getStrategy } from "../registry.js";
import { hints, makeCandidates } from "../test-fixtures.js";

describe("round_robin", () => {
  it("shares evenly among healthy candidates, even when one in the middle is down", () => {
    const b = getStrategy("round_robin")!.create(makeCandidates([{}, { open: true }, {}, {}]), {}, Math.random);
    const counts: Record<string, number> = {};
    for (let k = 0; k < 300; k++) {
      const p = b.order(hints())[0]!.provider;
      counts[p] = (counts[p] ?? 0) + 1;
    }
    expect(counts).toEqual({ p0: 100, p2: 100, p3: 100 });
  });

  it("continues the rotation in the failover order", () => {
    const b = getStrategy("round_robin")!.create(makeCandidates([{}, {}, {}]), {}, Math.random);
    b.order(hints());
    expect(b.order(hints()).map((c) => c.provider)).toEqual(["p1", "p2", "p0"]);
  });
});
