import type { ChatCompletionRequest } from "@ai-router/contracts";
import type { BuiltRequest, ChatBuildOptions, ParsedResponse, TargetContext } from "../adapter.js";
import { type GeminiResponse, postGemini } from "./api.js";
import { toGeminiRequest } from "./to-gemini.js";
import { toOpenAICompletion, toOpenAIUsage } from "./to-openai.js";

/**
 * OpenAI chat request -> Gemini `POST /models/{model}:generateContent` (`:streamGenerateContent?alt=sse`
 * for a stream). Target defaults are merged under the client's fields first.
 */
export function buildGeminiChatRequest(req: ChatCompletionRequest, target: TargetContext, opts: ChatBuildOptions): BuiltRequest {
  const merged = hasKeys(target.params) ? (Object.assign({}, target.params, req) as ChatCompletionRequest) : req;
  const { body, dropped } = toGeminiRequest(merged, target.upstreamModel);
  return {
    request: postGemini(JSON.stringify(body), target, opts.stream),
    dropped,
    // Gemini always reports usage; the translator writes a usage chunk only when the client asked.
    stripUsage: !opts.clientWantsUsage,
  };
}

/** Gemini `GenerateContentResponse` -> OpenAI `chat.completion` bytes and usage. */
export function parseGeminiChatResponse(body: Buffer, target: TargetContext): ParsedResponse {
  const resp = JSON.parse(body.toString("utf8")) as GeminiResponse;
  return { body: JSON.stringify(toOpenAICompletion(resp, target.upstreamModel)), usage: toOpenAIUsage(resp.usageMetadata ?? {}) };
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
