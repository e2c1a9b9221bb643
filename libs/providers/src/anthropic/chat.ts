import type { ChatCompletionRequest } from "@ai-router/contracts";
import type { BuiltRequest, ChatBuildOptions, ParsedResponse, TargetContext } from "../adapter.js";
import { type AnthropicResponse, postAnthropic } from "./api.js";
import { addCacheBreakpoints } from "./cache-breakpoints.js";
import { toAnthropicRequest } from "./to-anthropic.js";
import { toOpenAICompletion, toOpenAIUsage } from "./to-openai.js";

/**
 * OpenAI chat request -> Anthropic `POST /v1/messages`. Target defaults are merged under the client's
 * fields first, so a default such as `max_tokens` in the model's `params` applies too.
 */
export function buildAnthropicChatRequest(req: ChatCompletionRequest, target: TargetContext, opts: ChatBuildOptions): BuiltRequest {
  const merged = hasKeys(target.params) ? (Object.assign({}, target.params, req) as ChatCompletionRequest) : req;
  const { body, dropped } = toAnthropicRequest(merged, target.upstreamModel, opts.stream);
  if (target.cacheBreakpoints === true) addCacheBreakpoints(body);
  return {
    request: postAnthropic("/messages", JSON.stringify(body), target, { stream: opts.stream }),
    dropped,
    // The translator only writes a usage chunk when the client asked for one.
    stripUsage: !opts.clientWantsUsage,
  };
}

/** Anthropic `message` -> OpenAI `chat.completion` bytes and usage. */
export function parseAnthropicChatResponse(body: Buffer): ParsedResponse {
  const msg = JSON.parse(body.toString("utf8")) as AnthropicResponse;
  const completion = toOpenAICompletion(msg);
  return { body: JSON.stringify(completion), usage: toOpenAIUsage(msg.usage ?? {}) };
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
