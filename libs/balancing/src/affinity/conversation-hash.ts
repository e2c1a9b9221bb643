/**
 * 32-bit hashes for session affinity: cheap, allocation-free, identical in every replica and every
 * release (a change here moves every conversation once, so it is part of the routing contract).
 */

/** FNV-1a offset basis: the hash of nothing. */
export const HASH_SEED = 0x811c9dc5;

/** Folds at most `limit` UTF-16 units of `s` into `h` (FNV-1a over code units). */
export function hashString(h: number, s: string, limit = 4096): number {
  const n = Math.min(s.length, limit);
  for (let i = 0; i < n; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // The length and a separator, so ("ab","c") and ("a","bc") differ.
  h ^= n + 0x9e;
  return Math.imul(h, 0x01000193) >>> 0;
}

/** Characters of a long string hashed one by one; past them, one in {@link SAMPLE_STRIDE}. */
const DENSE = 256;
const SAMPLE_STRIDE = 8;

/**
 * `hashString` for a conversation's long texts (a system prompt, a tool list): the first 256 units one by
 * one, then one in eight up to `limit`, and the length. A conversation's start is the same on every turn,
 * so a sample tells conversations apart at an eighth of the cost (two starts differing only between
 * samples share a target, which costs nothing but balance).
 */
export function hashText(h: number, s: string, limit: number): number {
  const n = Math.min(s.length, limit);
  let i = 0;
  for (; i < n && i < DENSE; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  for (; i < n; i += SAMPLE_STRIDE) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= n + 0x9e;
  return Math.imul(h, 0x01000193) >>> 0;
}

/**
 * Folds a parsed JSON value into `h`, walking strings, numbers, booleans, arrays and object entries in
 * order, until `budget` UTF-16 units were hashed (a conversation's start needs no more to be told apart,
 * and a huge tool list costs no more than its first part). Returns the hash and the budget left.
 */
export function hashJson(h: number, value: unknown, budget: { left: number }): number {
  if (budget.left <= 0) return h;
  if (typeof value === "string") {
    const k = hashText(h, value, budget.left);
    budget.left -= value.length + 1;
    return k;
  }
  if (typeof value === "number" || typeof value === "boolean") return hashString(h, String(value), 32);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && budget.left > 0; i++) h = hashJson(h, value[i], budget);
    return h;
  }
  if (value !== null && typeof value === "object") {
    for (const k in value as Record<string, unknown>) {
      if (budget.left <= 0) break;
      h = hashString(h, k, 64);
      h = hashJson(h, (value as Record<string, unknown>)[k], budget);
    }
  }
  return h;
}

/** murmur3's finaliser: every input bit reaches every output bit. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform draw in (0, 1) for (conversation, item): the same in every process. */
export function unitDraw(conversation: number, itemSeed: number): number {
  return (mix32(mix32(conversation ^ 0x5bd1e995) ^ itemSeed) + 0.5) / 4294967296;
}

/**
 * The rendezvous (highest random weight) choice among `n` equally weighted items (e.g. a provider's API
 * keys) for a conversation: removing one item moves only the conversations that were on it.
 */
export function rendezvousIndex(conversation: number, seeds: ArrayLike<number>): number {
  let best = 0;
  let bestDraw = -1;
  for (let i = 0; i < seeds.length; i++) {
    const d = unitDraw(conversation, seeds[i] as number);
    if (d > bestDraw) {
      bestDraw = d;
      best = i;
    }
  }
  return best;
}
