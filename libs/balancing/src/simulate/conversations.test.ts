import { describe, expect, it } from "vitest";
import { simulateConversations } from "./conversations.js";

describe("the session-affinity simulation", () => {
  it("spreads 10,000 conversations by weight, keeps each on one target across replicas, moves only the downed target's", () => {
    const r = simulateConversations({
      conversations: 10_000,
      turns: 4,
      replicas: 3,
      targets: [
        { name: "a", weight: 5 },
        { name: "b", weight: 3 },
        { name: "c", weight: 2 },
      ],
    });
    for (const t of r.share) expect(Math.abs(t.actual - t.expected)).toBeLessThan(0.02);
    expect(r.stuck).toBe(10_000);
    expect(r.movedNeedlessly).toBe(0);
    expect(r.moved).toBe(Math.round((r.share[0]?.actual ?? 0) * 10_000));
  });
});
