import { type AnthropicRequest, estimateInputTokens } from "@ai-router/providers";
import { parseJsonObject, readBody } from "../http/read-body.js";
import { validateBody } from "../http/validation.js";
import { resolveModel, servePipeline } from "../pipeline/serve.js";
import type { RequestContext } from "./context.js";
import { anthropicStreamError, sendAnthropicError } from "./messages-errors.js";
import { CountTokensRequest } from "./messages-schema.js";

/**
 * POST /v1/messages/count_tokens: exact from an Anthropic target, estimated locally for any other
 * (and marked `x-router-warnings: estimated:input_tokens`).
 */
export async function handleCountTokens(ctx: RequestContext): Promise<void> {
  const raw = await readBody(ctx.req, ctx.table.settings.maxBodyBytes);
  const json = parseJsonObject(raw);
  ctx.record.noteModelOf(json);
  const body = validateBody(CountTokensRequest, json) as unknown as AnthropicRequest;
  await servePipeline(ctx, {
    endpoint: "messages.count_tokens",
    modelName: body.model,
    model: resolveModel(ctx, body.model, "chat"),
    stream: false,
    promptTokens: raw.length >> 2,
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
