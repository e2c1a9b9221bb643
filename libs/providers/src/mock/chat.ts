import { randomBytes } from "node:crypto";
import type { ChatCompletionRequest, OpenAIUsage } from "@ai-router/contracts";
import { contentText } from "../openai-request.js";

/** Rough token count (~4 characters a token), enough for a demo's usage numbers. */
export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** The mock's deterministic answer: it echoes the last user message. */
export function mockReply(req: ChatCompletionRequest): { text: string; usage: OpenAIUsage } {
  let last = "";
  let promptChars = 0;
  for (const m of req.messages) {
    const t = contentText(m.content, " ");
    promptChars += t.length;
    if (m.role === "user") last = t;
  }
  const text = `This is a mock response from AI Router. You said: ${last.slice(0, 200)}`;
  const prompt = Math.max(1, Math.ceil(promptChars / 4));
  const completion = estimateTokens(text);
  return { text, usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } };
}

export const completionId = (): string => `chatcmpl-${randomBytes(12).toString("base64url")}`;

export function mockCompletion(req: ChatCompletionRequest, model: string): { body: string; usage: OpenAIUsage } {
  const { text, usage } = mockReply(req);
  const body = {
    id: completionId(),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage,
    system_fingerprint: "fp_ai_router_mock",
  };
  return { body: JSON.stringify(body), usage };
}
