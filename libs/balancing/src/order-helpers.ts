import type { Candidate } from "./types.js";

/**
 * The order every strategy ends with: available candidates by priority tier (lower first), keeping
 * the strategy's order inside a tier; then unavailable ones (open breakers) as a last resort.
 */
export function finalizeOrder(ordered: Candidate[], now: number): Candidate[] {
  const up: Candidate[] = [];
  const down: Candidate[] = [];
  for (const c of ordered) (c.health.available(now) ? up : down).push(c);
  if (up.length > 1) {
    let sameTier = true;
    for (let i = 1; i < up.length; i++) if ((up[i] as Candidate).priority !== (up[0] as Candidate).priority) sameTier = false;
    if (!sameTier) up.sort((a, b) => a.priority - b.priority); // stable: keeps the strategy's order within a tier
  }
  if (down.length === 0) return up;
  for (const c of down) up.push(c);
  return up;
}

/** Preferred candidates first, keeping the order otherwise. */
export function preferredFirst(list: Candidate[]): Candidate[] {
  let any = false;
  for (const c of list) if (c.preferred) any = true;
  if (!any) return list;
  return [...list.filter((c) => c.preferred), ...list.filter((c) => !c.preferred)];
}
