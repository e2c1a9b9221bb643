import { HASH_SEED, hashString } from "../affinity/conversation-hash.js";
import { withAffinity } from "../affinity/rendezvous.js";
import { getStrategy } from "../registry.js";
import { seededRng } from "../rng.js";
import { TargetHealth } from "../target-health.js";
import type { Candidate } from "../types.js";

/** The session-affinity run: conversations over weighted targets, as many replicas as named. */
export interface ConversationScenario {
  conversations: number;
  turns: number;
  replicas: number;
  targets: { name: string; weight: number }[];
}

export const CONVERSATIONS: ConversationScenario = {
  conversations: 10_000,
  turns: 5,
  replicas: 3,
  targets: [
    { name: "a", weight: 5 },
    { name: "b", weight: 3 },
    { name: "c", weight: 2 },
  ],
};

export interface ConversationResult {
  /** Conversations whose first turn each target served. */
  share: { name: string; weight: number; expected: number; actual: number }[];
  /** Conversations whose turns all went to one target (across replicas). */
  stuck: number;
  /** With one target down: conversations that moved, and those that moved though they were elsewhere. */
  moved: number;
  movedNeedlessly: number;
}

/**
 * Plays `conversations` conversations of `turns` turns, each turn on a replica of its own (its own
 * balancer, its own RNG), through `weighted_round_robin` with session affinity; then takes the heaviest
 * target down and counts who moved.
 */
export function simulateConversations(s: ConversationScenario): ConversationResult {
  const make = (down: string | undefined, seed: number) => {
    const cands: Candidate[] = s.targets.map((t) => {
      const health = new TargetHealth({ failureThreshold: 1, cooldownMs: 60_000 });
      if (t.name === down) {
        health.begin(0);
        health.failure(0);
      }
      return {
        id: `${t.name}/model`,
        provider: t.name,
        upstreamModel: "model",
        weight: t.weight,
        preferred: false,
        priority: 0,
        price: undefined,
        health,
      };
    });
    const inner = getStrategy("weighted_round_robin")?.create(cands, {}, seededRng(seed));
    if (!inner) throw new Error("weighted_round_robin is not registered");
    return withAffinity(inner, cands, "session");
  };
  const replicas = Array.from({ length: s.replicas }, (_, i) => make(undefined, i + 1));
  const downName = s.targets[0]?.name;
  const degraded = make(downName, 99);
  const counts = new Map<string, number>();
  let stuck = 0;
  let moved = 0;
  let movedNeedlessly = 0;
  for (let c = 0; c < s.conversations; c++) {
    const affinity = hashString(HASH_SEED, `conversation-${c}`);
    const hints = (turn: number) => ({ promptTokens: 2000 + turn * 500, maxTokens: 1000, stream: true, now: 1000 + turn, affinity });
    const first = replicas[0]?.order(hints(0))[0]?.provider as string;
    counts.set(first, (counts.get(first) ?? 0) + 1);
    let same = true;
    for (let t = 1; t < s.turns; t++) if (replicas[t % s.replicas]?.order(hints(t))[0]?.provider !== first) same = false;
    if (same) stuck++;
    const after = degraded.order(hints(s.turns))[0]?.provider;
    if (after !== first) {
      moved++;
      if (first !== downName) movedNeedlessly++;
    }
  }
  const total = s.targets.reduce((sum, t) => sum + t.weight, 0);
  return {
    share: s.targets.map((t) => ({
      name: t.name,
      weight: t.weight,
      expected: t.weight / total,
      actual: (counts.get(t.name) ?? 0) / s.conversations,
    })),
    stuck,
    moved,
    movedNeedlessly,
  };
}

/** The run as Markdown, for `npm run simulate`. */
export function conversationsReport(s: ConversationScenario, r: ConversationResult): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows = r.share.map((t) => `| ${t.name} | ${t.weight} | ${pct(t.expected)} | ${pct(t.actual)} |`);
  return [
    `Session affinity: ${s.conversations} conversations of ${s.turns} turns over ${s.replicas} replicas (weighted_round_robin + affinity: session).`,
    "",
    "| target | weight | expected share | conversations |",
    "|---|---:|---:|---:|",
    ...rows,
    "",
    `Conversations on one target for every turn, across replicas: ${r.stuck} of ${s.conversations}.`,
    `With target ${r.share[0]?.name} down: ${r.moved} conversations moved (${r.movedNeedlessly} of them were not on it).`,
  ].join("\n");
}
