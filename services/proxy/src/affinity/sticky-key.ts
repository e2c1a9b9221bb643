import { HASH_SEED, hashString, rendezvousIndex } from "@ai-router/balancing";

/**
 * A provider's API key for a conversation: prompt caches are kept per key (OpenAI, Anthropic), so a
 * conversation keeps its key as it keeps its target. Rendezvous over the keys: adding or removing one
 * moves only the conversations of that key. The key's hash stays in memory, never in a log.
 */
export function stickyKeys(keys: readonly string[]): (conversation: number) => string | undefined {
  if (keys.length === 0) return () => undefined;
  if (keys.length === 1) return () => keys[0];
  const seeds = Uint32Array.from(keys, (k) => hashString(HASH_SEED, k, 512));
  return (conversation) => keys[rendezvousIndex(conversation, seeds)];
}
