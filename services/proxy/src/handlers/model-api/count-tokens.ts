import { type AnthropicRequest, estimateInputTokens } from "@ai-router/providers";
import type { Endpoint } from "../../endpoints/endpoint.js";
import { resolveModel, servePipeline } from "../../pipeline/serve.js";
import type { RequestContext } from "../context.js";
import { anthropicStreamError, sendAnthropicError } from "./messages-errors.js";
import { CountTokensRequest } from "./messages-schema.js";

/**
 * POST /v1/messages/count_tokens: exact from an Anthropic target, estimated locally for any other
 * (and marked `x-router-warnings: estimated:input_tokens`).
 */
async function handleCountTokens(ctx: RequestContext): Promise<void> {
  const json = ctx.json!;
  const body = ctx.valid as AnthropicRequest;
  await servePipeline(ctx, {
    endpoint: "messages.count_tokens",
    modelName: body.model,
    model: resolveModel(ctx, body.model),
    stream: false,
    promptTokens: ctx.body.length >> 2,
    maxTokens: undefined,
    exchange: (t, target) => {
      const adapter = t.live.adapter;
      const count = adapter.native?.messages?.countTokens;
      if (count) {
        return {
          kind: "upstream",
          dropped: [],
          request: count(json, target),
          parse: (bytes) => ({ body: bytes, usage: undefined }),
          parseError: adapter.parseError,
        };
      }
      return { kind: "answer", body: JSON.stringify({ input_tokens: estimateInputTokens(body) }), warnings: ["estimated:input_tokens"] };
    },
    sendError: sendAnthropicError,
    streamError: anthropicStreamError,
  });
}

/** `POST /v1/messages/count_tokens`, Anthropic's envelope; recorded, never charged (nothing is estimated). */
export const countTokensEndpoint = (): Endpoint => ({
  method: "POST",
  path: "/v1/messages/count_tokens",
  auth: true,
  body: "json",
  schema: CountTokensRequest,
  llmType: "chat",
  answers: ["json"],
  usage: { ingress: "anthropic-count-tokens", endpoint: "messages.count_tokens", estimate: "none" },
  sendError: sendAnthropicError,
  handle: handleCountTokens,
});
