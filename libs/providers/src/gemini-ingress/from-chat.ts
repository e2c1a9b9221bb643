import { randomBytes } from "node:crypto";
import type { OpenAIUsage } from "@ai-router/contracts";
import type { GeminiPart, GeminiUsageMetadata } from "../gemini/api.js";

type Json = Record<string, unknown>;

/** OpenAI finish reason -> Gemini `finishReason` (function calls end with STOP, as Gemini's do). */
export function toGeminiFinishReason(finish: string | null | undefined): string {
  if (finish === "length") return "MAX_TOKENS";
  if (finish === "content_filter") return "SAFETY";
  return "STOP";
}

/** OpenAI usage -> Gemini `usageMetadata` (reasoning tokens as thoughts, outside the candidates' count). */
export function toGeminiUsage(u: OpenAIUsage | undefined): GeminiUsageMetadata {
  const prompt = u?.prompt_tokens ?? 0;
  const thoughts = u?.completion_tokens_details?.reasoning_tokens ?? 0;
  const completion = (u?.completion_tokens ?? 0) - thoughts;
  const m: GeminiUsageMetadata = {
    promptTokenCount: prompt,
    candidatesTokenCount: completion,
    totalTokenCount: u?.total_tokens ?? prompt + completion + thoughts,
  };
  if (thoughts > 0) m.thoughtsTokenCount = thoughts;
  const cached = u?.prompt_tokens_details?.cached_tokens;
  if (cached) m.cachedContentTokenCount = cached;
  return m;
}

export const geminiResponseId = (): string => randomBytes(12).toString("base64url");

/** A function call part; its arguments are parsed (a call the model left unparseable keeps its text). */
export function functionCallPart(name: string, args: string, id?: string, signature?: string): GeminiPart {
  let parsed: Record<string, unknown>;
  try {
    const v = args.trim() === "" ? {} : JSON.parse(args);
    parsed = v && typeof v === "object" && !Array.isArray(v) ? v : { value: v };
  } catch {
    parsed = { arguments: args };
  }
  const part: GeminiPart = { functionCall: Object.assign({ name, args: parsed }, id ? { id } : {}) };
  if (signature) part.thoughtSignature = signature;
  return part;
}

interface Completion {
  choices?: {
    message?: {
      content?: string | null;
      reasoning_content?: string | null;
      tool_calls?: {
        id: string;
        function: { name: string; arguments: string };
        extra_content?: { google?: { thought_signature?: string } };
      }[];
    };
    finish_reason?: string | null;
  }[];
  usage?: OpenAIUsage;
}

/**
 * A candidate's `content`: `parts` only when there are some, as Gemini sends it (an empty repeated field
 * is left out of protobuf JSON), so a last stream event with nothing new carries no `parts: []`.
 */
export function geminiContent(parts: GeminiPart[]): { role: "model"; parts?: GeminiPart[] } {
  return parts.length === 0 ? { role: "model" } : { role: "model", parts };
}

/** OpenAI `chat.completion` -> Gemini `GenerateContentResponse`. */
export function chatToGemini(c: Completion, model: string): Json {
  const choice = c.choices?.[0];
  const m = choice?.message ?? {};
  const parts: GeminiPart[] = [];
  if (m.reasoning_content) parts.push({ text: m.reasoning_content, thought: true });
  if (m.content) parts.push({ text: m.content });
  for (const t of m.tool_calls ?? []) {
    parts.push(functionCallPart(t.function.name, t.function.arguments, t.id, t.extra_content?.google?.thought_signature));
  }
  return {
    candidates: [{ content: geminiContent(parts), finishReason: toGeminiFinishReason(choice?.finish_reason), index: 0 }],
    usageMetadata: toGeminiUsage(c.usage),
    modelVersion: model,
    responseId: geminiResponseId(),
  };
}
