import { waitFor } from "@ai-router/testing";
import { afterEach, describe, expect, it } from "vitest";
import { AgentConversation, type AgentRig, startAgentRig, type Turn, usageRecords } from "./agent-session.js";

let rig: AgentRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const TURNS = 20;

async function run(conv: AgentConversation, from = 1, to = TURNS): Promise<Turn[]> {
  const turns: Turn[] = [];
  for (let n = from; n <= to; n++) turns.push(await conv.turn(n));
  return turns;
}

/** Turns on the most used target, and the cached share of prompt tokens on turns 2..20. */
function summary(turns: Turn[]) {
  const by = new Map<string, number>();
  for (const t of turns) by.set(t.provider ?? "?", (by.get(t.provider ?? "?") ?? 0) + 1);
  const later = turns.slice(1);
  const prompt = later.reduce((s, t) => s + t.promptTokens, 0);
  const cached = later.reduce((s, t) => s + t.cachedTokens, 0);
  return { onOne: Math.max(...by.values()), cachedShare: cached / prompt };
}

describe("session affinity: a 20-turn agent conversation through two replicas over three equal targets", () => {
  it.each([
    ["an explicit session id", { headers: { "x-session-id": "sess-7f3a" } }],
    ["prompt_cache_key", { body: { prompt_cache_key: "repo-42-task-9" } }],
    ["no identifier at all", {}],
  ])("keeps one target and gets the prompt cache with %s", async (_name, extra) => {
    rig = await startAgentRig(undefined);
    const turns = await run(new AgentConversation(rig, "a", extra));
    expect(turns.every((t) => t.status === 200)).toBe(true);
    const s = summary(turns);
    expect(s.onOne).toBeGreaterThanOrEqual(19);
    expect(s.cachedShare).toBeGreaterThanOrEqual(0.8);
  });

  it("with affinity off the same conversation spreads and loses most of its cache (the control)", async () => {
    rig = await startAgentRig("off");
    const s = summary(await run(new AgentConversation(rig, "a", { headers: { "x-session-id": "sess-7f3a" } })));
    expect(s.onOne).toBeLessThan(19);
    expect(s.cachedShare).toBeLessThan(0.8);
  });

  it("moves the conversation when its target dies, and keeps it on the new target on both replicas", async () => {
    rig = await startAgentRig(undefined);
    const conv = new AgentConversation(rig, "k", { headers: { "x-session-id": "sess-kill" } });
    const before = await run(conv, 1, 6);
    const sticky = before[0]?.provider as string;
    expect(before.every((t) => t.provider === sticky)).toBe(true);
    await rig.ups[Number(sticky.slice(2))]?.refuse();
    const after = await run(conv, 7, 14);
    expect(after.every((t) => t.status === 200)).toBe(true);
    const moved = after[0]?.provider as string;
    expect(moved).not.toBe(sticky);
    expect(after.every((t) => t.provider === moved)).toBe(true);
    // Back in the new target's cache after one cold turn.
    expect(after.slice(2).every((t) => t.cachedTokens > 0)).toBe(true);
  });
});

describe("what affinity saves (recorded usage)", () => {
  async function sessionCost(affinity: "off" | undefined): Promise<{ cost: number; cached: number; prompt: number }> {
    rig = await startAgentRig(affinity);
    await run(new AgentConversation(rig, "cost", { headers: { "x-session-id": "sess-cost" } }));
    const r = rig;
    const records = await waitFor(() => {
      const all = usageRecords(r);
      return all.length >= TURNS ? all : undefined;
    });
    await rig.close();
    rig = undefined;
    return {
      cost: records.reduce((s, x) => s + (x.cost_usd ?? 0), 0),
      cached: records.reduce((s, x) => s + x.cached_tokens, 0),
      prompt: records.reduce((s, x) => s + x.prompt_tokens, 0),
    };
  }

  it("costs less with affinity on than off for the same 20 turns", async () => {
    const on = await sessionCost(undefined);
    const off = await sessionCost("off");
    console.log(
      `20-turn agent session over 3 targets: affinity on $${on.cost.toFixed(5)} (cached ${on.cached}/${on.prompt}), off $${off.cost.toFixed(5)} (cached ${off.cached}/${off.prompt})`,
    );
    expect(on.prompt).toBe(off.prompt);
    expect(on.cached).toBeGreaterThan(off.cached);
    expect(on.cost).toBeLessThan(off.cost * 0.9);
  });
});
