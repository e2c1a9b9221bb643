import { RouterError } from "@ai-router/errors";
import type { ResponseStore, StoredEntry, TurnRef } from "./store.js";
import { CHAIN_HINTS } from "./stored-codec.js";

type Json = Record<string, unknown>;

/** Most turns a `previous_response_id` chain is followed back (a bound on lookups per request). */
export const MAX_CONVERSATION_TURNS = 1_000;

/** Output or input items as the next turn's input (ids dropped: they are this router's, not a provider's). */
export function asHistory(items: readonly Json[]): Json[] {
  return items.map((i) => {
    const { id: _id, status: _status, ...rest } = i;
    return rest;
  });
}

/** What one stored turn adds to a conversation: its input, then its output. */
function turnItems(e: StoredEntry): Json[] {
  const output = Array.isArray(e.response.output) ? (e.response.output as Json[]) : [];
  return [...asHistory(e.input), ...asHistory(output)];
}

/** A conversation assembled from its stored turns. */
export interface Conversation {
  /** Every earlier item, oldest first: the history the new input follows. */
  items: Json[];
  /** The ids of its stored turns (kept alive with the turn that continues them). */
  ids: string[];
  /** The nearest turns, newest first, with their sizes: the next turn's `ancestors`. */
  ancestors: TurnRef[];
}

/**
 * Follows `previous_response_id` back through the stored turns (each stored once, linked to its parent)
 * and assembles the conversation. Each entry lists its nearest CHAIN_HINTS ancestors with their sizes,
 * so the chain is fetched that many turns per round trip, and refused before fetching what is too big.
 * Bounded: at most MAX_CONVERSATION_TURNS turns, and the turns' bytes plus the new request's
 * (`ownBytes`) at most `maxBytes` (the server's `max_body_bytes`, which the whole conversation used to
 * bypass): past either, a 400 naming the limit. An entry written before chains carries the whole
 * conversation and ends the walk.
 */
export async function assembleConversation(
  store: ResponseStore,
  id: string,
  owner: string,
  ownBytes: number,
  maxBytes: number,
): Promise<Conversation> {
  const turns: StoredEntry[] = [];
  const ids: string[] = [];
  let bytes = ownBytes;
  const check = (count: number, total: number) => {
    if (count > MAX_CONVERSATION_TURNS) throw tooLong(id);
    if (total > maxBytes) throw tooLarge(id, maxBytes);
  };
  const take = (e: StoredEntry, at: string) => {
    bytes += e.turnBytes;
    check(turns.length + 1, bytes);
    turns.push(e);
    ids.push(at);
  };
  const first = await store.get(id, owner);
  if (!first) throw missing(id, id);
  take(first, id);
  let last = first;
  while (last.conversation === undefined && last.previous !== undefined) {
    const next: readonly TurnRef[] = last.ancestors?.length ? last.ancestors : [{ id: last.previous, bytes: 0 }];
    // The sizes are known: a conversation over the limit is refused before it is fetched.
    let total = bytes;
    for (let i = 0; i < next.length; i++) check(turns.length + i + 1, (total += (next[i] as TurnRef).bytes));
    const got = await store.getMany(
      next.map((a) => a.id),
      owner,
    );
    for (let i = 0; i < next.length; i++) {
      const e = got[i];
      if (!e) throw missing(id, (next[i] as TurnRef).id);
      take(e, (next[i] as TurnRef).id);
      last = e;
      if (e.conversation !== undefined || e.previous === undefined) break;
    }
  }
  const items: Json[] = [];
  for (let i = turns.length - 1; i >= 0; i--) {
    const e = turns[i] as StoredEntry;
    for (const item of e.conversation ?? turnItems(e)) items.push(item);
  }
  const ancestors: TurnRef[] = [];
  for (let i = 0; i < turns.length && i < CHAIN_HINTS; i++)
    ancestors.push({ id: ids[i] as string, bytes: (turns[i] as StoredEntry).turnBytes });
  return { items, ids, ancestors };
}

const tooLong = (id: string) =>
  new RouterError(
    "invalid_request",
    `The conversation of previous_response_id '${id}' has more than ${MAX_CONVERSATION_TURNS} turns; start a new conversation.`,
    { param: "previous_response_id", publicCode: "conversation_too_long" },
  );

const tooLarge = (id: string, maxBytes: number) =>
  new RouterError(
    "invalid_request",
    `The conversation of previous_response_id '${id}' and this request come to more than ${maxBytes} bytes, the request body limit (max_body_bytes); start a new conversation or send less input.`,
    { param: "previous_response_id", publicCode: "conversation_too_large" },
  );

/** The response named, or one of its earlier turns, is no longer stored (expired, evicted or deleted). */
function missing(id: string, cur: string): RouterError {
  const message =
    cur === id
      ? `Previous response with id '${id}' not found.`
      : `Previous response with id '${id}' continues response '${cur}', which is no longer stored (expired, evicted or deleted).`;
  return new RouterError("invalid_request", message, { param: "previous_response_id", publicCode: "previous_response_not_found" });
}
