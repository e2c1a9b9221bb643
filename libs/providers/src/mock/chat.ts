import { randomBytes } from "node:crypto";
import type { ChatCompletionRequest, OpenAIUsage } from "@ai-router/contracts";
import { contentText } from "../openai-request.js";

/** Rough token count (~4 characters a token), enough for a demo's usage numbers. */
export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/**
 * The output limit a request sets, whichever spelling it uses (`max_tokens`, OpenAI's newer
 * `max_completion_tokens`, or the Responses API's `max_output_tokens` when a body carries it as is).
 */
function outputLimit(req: ChatCompletionRequest): number | undefined {
  const r = req as { max_tokens?: unknown; max_completion_tokens?: unknown; max_output_tokens?: unknown };
  for (const v of [r.max_tokens, r.max_completion_tokens, r.max_output_tokens]) {
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) return Math.floor(v);
  }
  return undefined;
}

/** What the mock answers: its text, usage and finish reason (`length` when the output limit cut it). */
export interface MockReply {
  text: string;
  usage: OpenAIUsage;
  finishReason: "stop" | "length";
}

/**
 * The mock's deterministic answer: it echoes the last user message. Like a model, it stops at the
 * request's output limit (about four characters a token) and then says `length`.
 */
export function mockReply(req: ChatCompletionRequest): MockReply {
  let last = "";
  let promptChars = 0;
  for (const m of req.messages) {
    const t = contentText(m.content, " ");
    promptChars += t.length;
    if (m.role === "user") last = t;
  }
  let text = `This is a mock response from AI Router. You said: ${last.slice(0, 200)}`;
  let completion = estimateTokens(text);
  let finishReason: MockReply["finishReason"] = "stop";
  const limit = outputLimit(req);
  if (limit !== undefined && completion > limit) {
    text = text.slice(0, 4 * limit);
    completion = limit;
    finishReason = "length";
  }
  const prompt = Math.max(1, Math.ceil(promptChars / 4));
  return { text, usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }, finishReason };
}

export const completionId = (): string => `chatcmpl-${randomBytes(12).toString("base64url")}`;

export function mockCompletion(req: ChatCompletionRequest, model: string): { body: string; usage: OpenAIUsage } {
  const { text, usage, finishReason } = mockReply(req);
  const body = {
    id: completionId(),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: finishReason }],
    usage,
    system_fingerprint: "fp_ai_router_mock",
  };
  return { body: JSON.stringify(body), usage };
}
