import { z } from "zod";

type Json = Record<string, unknown>;

/** A stored response: what `GET /v1/responses/{id}`, `input_items` and `previous_response_id` need. */
export interface StoredResponse {
  /** SHA-256 of the client key that created it ("" without client auth): only that key sees it. */
  owner: string;
  /** The Response object as the client got it. */
  response: Json;
  /** The request's own input items, with ids (`GET .../input_items`). */
  input: Json[];
  /**
   * The response this turn continued (`previous_response_id`): a conversation is stored once, as a chain
   * of turns each holding its own input and output, and assembled by walking the chain.
   */
  previous?: string;
  /**
   * The nearest earlier turns, parent first (at most CHAIN_HINTS), with their turn sizes: the chain is
   * fetched many turns per round trip, and refused for its size before it is fetched.
   */
  ancestors?: TurnRef[];
  /** Entries written before chains (and still read): the whole conversation up to and including this turn. */
  conversation?: Json[];
}

/** An earlier turn of a conversation: its id and its size (`turnBytes`). */
export interface TurnRef {
  id: string;
  bytes: number;
}

/** Earlier turns each entry lists (one Redis round trip fetches that many). */
export const CHAIN_HINTS = 32;

/** A stored response as read back, with the size of what it adds to a conversation. */
export type StoredEntry = StoredResponse & {
  /** Bytes of the turn's input and output (JSON): what it adds to an assembled conversation. */
  readonly turnBytes: number;
};

/**
 * The stored form, read tolerantly: entries written by other versions (with `conversation`, without
 * `turn_bytes` or `output`) are understood and unknown fields ignored.
 */
const StoredForm = z.looseObject({
  owner: z.string(),
  response: z.looseObject({}),
  input: z.array(z.looseObject({})),
  /** The response's `output`, kept apart so the turn's size is known without serializing it twice. */
  output: z.array(z.looseObject({})).optional(),
  previous: z.string().optional(),
  ancestors: z.array(z.looseObject({ id: z.string(), bytes: z.number().nonnegative() })).optional(),
  turn_bytes: z.number().nonnegative().optional(),
  conversation: z.array(z.looseObject({})).optional(),
});

/**
 * One serialization of a stored response: input and output are stringified once each, their lengths
 * are the turn's size, and the Response object goes in without its `output` (given back on read).
 */
export function encodeStored(v: StoredResponse): string {
  const { output, ...rest } = v.response;
  const input = JSON.stringify(v.input);
  const out = JSON.stringify(Array.isArray(output) ? output : []);
  let head = `{"owner":${JSON.stringify(v.owner)}`;
  if (v.previous !== undefined) head += `,"previous":${JSON.stringify(v.previous)}`;
  if (v.ancestors !== undefined) head += `,"ancestors":${JSON.stringify(v.ancestors)}`;
  if (v.conversation !== undefined) head += `,"conversation":${JSON.stringify(v.conversation)}`;
  return `${head},"turn_bytes":${input.length + out.length},"input":${input},"output":${out},"response":${JSON.stringify(rest)}}`;
}

/** Reads a stored response back (undefined when it is not one); `text.length` stands in for a missing size. */
export function decodeStored(text: string): StoredEntry | undefined {
  let parsed: z.infer<typeof StoredForm>;
  try {
    const r = StoredForm.safeParse(JSON.parse(text));
    if (!r.success) return undefined;
    parsed = r.data;
  } catch {
    return undefined;
  }
  const { output, turn_bytes, ...v } = parsed;
  const response = output !== undefined ? Object.assign(v.response, { output }) : v.response;
  const entry: StoredEntry = { owner: v.owner, response, input: v.input, turnBytes: turn_bytes ?? text.length };
  if (v.previous !== undefined) entry.previous = v.previous;
  if (v.ancestors !== undefined) entry.ancestors = v.ancestors.map((a) => ({ id: a.id, bytes: a.bytes }));
  if (v.conversation !== undefined) entry.conversation = v.conversation;
  return entry;
}
