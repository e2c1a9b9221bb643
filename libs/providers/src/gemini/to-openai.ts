import { randomBytes } from "node:crypto";
import type { OpenAIUsage } from "@ai-router/contracts";
import type { GeminiCandidate, GeminiPart, GeminiResponse, GeminiUsageMetadata } from "./api.js";

export type OpenAIFinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/** Finish reasons of a candidate stopped by a filter (safety, recitation, block lists, PII...). */
const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);

/**
 * Gemini `finishReason` -> OpenAI `finish_reason`. Gemini says STOP after function calls too, so
 * `hasToolCalls` turns it into `tool_calls`. LANGUAGE, OTHER, MALFORMED_FUNCTION_CALL and unknown
 * reasons end the answer as it is: `stop`.
 */
export function mapFinishReason(reason: string | null | undefined, hasToolCalls = false): OpenAIFinishReason {
  if (reason === "MAX_TOKENS") return "length";
  if (reason && FILTERED.has(reason)) return "content_filter";
  return hasToolCalls ? "tool_calls" : "stop";
}

/**
 * Gemini usage -> OpenAI usage. `promptTokenCount` already includes cached tokens (they become
 * `cached_tokens`); thoughts are billed as output, so `completion_tokens` includes them, with the
 * share in `reasoning_tokens`, as OpenAI reports reasoning. Tool-use prompt tokens count as prompt.
 */
export function toOpenAIUsage(u: GeminiUsageMetadata): OpenAIUsage {
  const prompt = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0);
  const thoughts = u.thoughtsTokenCount;
  const completion = (u.candidatesTokenCount ?? 0) + (thoughts ?? 0);
  const usage: OpenAIUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: u.cachedContentTokenCount ?? 0 },
  };
  if (thoughts !== undefined) usage.completion_tokens_details = { reasoning_tokens: thoughts };
  return usage;
}

/** A fresh OpenAI-style tool call id (Gemini's function calls carry none we can rely on). */
export const newCallId = (): string => `call_${randomBytes(12).toString("base64url")}`;

export interface OpenAIToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
  /** Gemini's thought signature, where Google's own OpenAI endpoint puts it; sent back on the next turn. */
  extra_content?: { google: { thought_signature: string } };
}

/** A `functionCall` part -> an OpenAI tool call, arguments as a JSON string. */
export function toOpenAIToolCall(part: GeminiPart, id = newCallId()): OpenAIToolCall {
  const call = part.functionCall as NonNullable<GeminiPart["functionCall"]>;
  const out: OpenAIToolCall = { id, type: "function", function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) } };
  if (part.thoughtSignature) out.extra_content = { google: { thought_signature: part.thoughtSignature } };
  return out;
}

/** The OpenAI assistant message and finish reason of one candidate. */
export function toOpenAIChoice(c: GeminiCandidate, index: number): Record<string, unknown> {
  let text = "";
  let reasoning: string | undefined;
  const toolCalls: OpenAIToolCall[] = [];
  for (const p of c.content?.parts ?? []) {
    if (p.functionCall) toolCalls.push(toOpenAIToolCall(p));
    else if (typeof p.text === "string") {
      if (p.thought) reasoning = (reasoning ?? "") + p.text;
      else text += p.text;
    }
  }
  const finish = mapFinishReason(c.finishReason, toolCalls.length > 0);
  const message: Record<string, unknown> = {
    role: "assistant",
    content: text === "" && (toolCalls.length > 0 || finish === "content_filter") ? null : text,
    refusal: null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  return { index, message, logprobs: null, finish_reason: finish };
}

const blockedFinish = (resp: GeminiResponse): OpenAIFinishReason => (resp.promptFeedback?.blockReason ? "content_filter" : "stop");

/**
 * Gemini `GenerateContentResponse` -> OpenAI `chat.completion`. A prompt blocked before any
 * candidate (`promptFeedback.blockReason`) is an empty `content_filter` answer, as OpenAI gives.
 */
export function toOpenAICompletion(resp: GeminiResponse, model: string, created = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  const candidates = resp.candidates ?? [];
  const choices =
    candidates.length > 0
      ? candidates.map((c, i) => toOpenAIChoice(c, c.index ?? i))
      : [{ index: 0, message: { role: "assistant", content: null, refusal: null }, logprobs: null, finish_reason: blockedFinish(resp) }];
  return {
    id: resp.responseId ?? `chatcmpl-${randomBytes(12).toString("base64url")}`,
    object: "chat.completion",
    created,
    model: resp.modelVersion ?? model,
    choices,
    usage: toOpenAIUsage(resp.usageMetadata ?? {}),
  };
}
