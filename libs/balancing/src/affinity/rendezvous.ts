import { OrderBuffer } from "../order-helpers.js";
import type { Balancer, Candidate, RequestHints } from "../types.js";
import { HASH_SEED, hashString, unitDraw } from "./conversation-hash.js";

/** How a model recognises a conversation (router.yaml `affinity`). */
export type AffinityMode = "off" | "session" | "prefix";

/**
 * Session affinity over any strategy: a request that carries a conversation hash (`hints.affinity`) goes
 * to the candidate that wins a weighted rendezvous draw (an exponential race: candidate i draws
 * `-ln(u_i) / weight_i` with `u_i` from the hash of (conversation, candidate id), the lowest wins), inside
 * the lead group the house rules give (healthy, best tier, preferred). Every replica computes the same
 * winner with no shared state; over many conversations each candidate wins in proportion to its weight;
 * the failover order is the rest of the race, so when the winner fails every replica moves the
 * conversation to the same runner-up, where it stays while the winner is down. Requests without a hash
 * go to the wrapped strategy.
 */
export class RendezvousAffinity implements Balancer {
  private readonly buf: OrderBuffer;
  private readonly seeds: Uint32Array;
  private readonly invWeight: Float64Array;

  constructor(
    private readonly inner: Balancer,
    candidates: readonly Candidate[],
  ) {
    this.buf = new OrderBuffer(candidates);
    this.seeds = new Uint32Array(candidates.length);
    this.invWeight = new Float64Array(candidates.length);
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i] as Candidate;
      this.seeds[i] = hashString(HASH_SEED, c.id, 512);
      this.invWeight[i] = c.weight > 0 ? 1 / c.weight : Number.POSITIVE_INFINITY;
    }
  }

  order(hints: RequestHints): Candidate[] {
    const conversation = hints.affinity;
    if (conversation === undefined) return this.inner.order(hints);
    const b = this.buf;
    b.classify(hints.now);
    for (let i = 0; i < b.n; i++) b.key[i] = -Math.log(unitDraw(conversation, this.seeds[i] as number)) * (this.invWeight[i] as number);
    return b.emit(b.minLead());
  }

  explain(ordered: readonly Candidate[], hints: RequestHints): string {
    if (hints.affinity === undefined) return this.inner.explain?.(ordered, hints) ?? `first ${ordered[0]?.id ?? "none"}`;
    const first = ordered[0]?.id ?? "none";
    return `affinity conversation ${hints.affinity.toString(16).padStart(8, "0")} -> ${first} (weighted rendezvous over ${ordered.length})`;
  }
}

/** Wraps a strategy's balancer with session affinity unless `mode` is off or there is nothing to choose. */
export function withAffinity(inner: Balancer, candidates: readonly Candidate[], mode: AffinityMode): Balancer {
  if (mode === "off" || candidates.length < 2) return inner;
  return new RendezvousAffinity(inner, candidates);
}
