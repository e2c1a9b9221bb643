import type { ChatCompletionRequest } from "@ai-router/contracts";
import {
  type AnthropicRequest,
  estimateInputTokens,
  OpenAIToAnthropicStream,
  toAnthropicMessage,
  toOpenAIRequest,
} from "@ai-router/providers";
import { anthropicStreamError, sendAnthropicError } from "../handlers/model-api/messages-errors.js";
import { MessagesRequest } from "../handlers/model-api/messages-schema.js";
import { parseJsonObject } from "../http/read-body.js";
import { validateBody } from "../http/validation.js";
import type { Ingress } from "./ingress.js";

/**
 * POST /v1/messages (Anthropic's Messages API). An Anthropic target gets the client's body as is
 * (cache_control, thinking blocks and beta features kept); any other target gets it translated to the
 * internal form and its answer translated back, JSON and event stream alike.
 */
export const messagesIngress: Ingress = {
  name: "anthropic-messages",
  endpoint: () => "messages",
  native: "messages",
  parse(raw) {
    const json = parseJsonObject(raw);
    const body = validateBody(MessagesRequest, json) as unknown as AnthropicRequest;
    let translated: ReturnType<typeof toOpenAIRequest> | undefined;
    return {
      model: body.model,
      stream: body.stream === true,
      maxTokens: body.max_tokens,
      json,
      toChat(type) {
        translated ??= toOpenAIRequest(body);
        return { req: forProvider(translated.req, type), dropped: translated.dropped, clientWantsUsage: false };
      },
      fromChat: (completion) => JSON.stringify(toAnthropicMessage(JSON.parse(completion.toString()) as Record<string, unknown>)),
      // message_start says the prompt's size before any output: estimated as count_tokens does, unless the upstream said it.
      encodeStream: (inner) => new OpenAIToAnthropicStream(inner, body.model, () => estimateInputTokens(body)),
    };
  },
  sendError: sendAnthropicError,
  streamError: anthropicStreamError,
};

/** OpenAI's own API takes `max_completion_tokens` (reasoning models refuse `max_tokens`). */
export function forProvider(req: ChatCompletionRequest, type: string): ChatCompletionRequest {
  if (type !== "openai" || req.max_tokens == null) return req;
  const { max_tokens, ...rest } = req;
  return Object.assign(rest, { max_completion_tokens: max_tokens });
}
