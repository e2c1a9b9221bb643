import type { OpenAIUsage } from "@ai-router/contracts";
import type { UpstreamError } from "./adapter.js";
import { sseData } from "./sse.js";

/** Writing an OpenAI chat stream: the events every translating stream (Anthropic, Gemini, mock) emits. */

/** What every chunk of one stream repeats. */
export interface ChunkHead {
  id: string | undefined;
  created: number;
  model: string | undefined;
}

/** The role chunk OpenAI sends first for each choice. */
export const ROLE_DELTA = { role: "assistant", content: "", refusal: null } as const;

/**
 * One `chat.completion.chunk` event for choice `index`. With `usageNull`, the chunk carries
 * `usage: null`, as OpenAI's do when the client asked for usage.
 */
export function chunkEvent(head: ChunkHead, index: number, delta: object, finish: string | null, usageNull: boolean): string {
  return sseData({
    id: head.id,
    object: "chat.completion.chunk",
    created: head.created,
    model: head.model,
    choices: [{ index, delta, logprobs: null, finish_reason: finish }],
    ...(usageNull ? { usage: null } : {}),
  });
}

/** The usage-only chunk (`choices: []`) that ends a stream whose client asked for usage. */
export function usageEvent(head: ChunkHead, usage: OpenAIUsage | undefined): string {
  return sseData({ id: head.id, object: "chat.completion.chunk", created: head.created, model: head.model, choices: [], usage });
}

/** An upstream error reported inside a stream that has already started, in OpenAI's envelope. */
export function errorEvent(e: UpstreamError): string {
  return sseData({ error: { message: e.message, type: e.type, param: null, code: e.code } });
}
