import { type AnthropicRequest, estimateInputTokens } from "@ai-router/providers";
import { parseJsonObject, readBody } from "../http/read-body.js";
import { validateBody } from "../http/validation.js";
import { noteModelOf } from "../usage/usage-draft.js";
import { resolveModel } from "./chat-core.js";
import type { RequestContext } from "./context.js";
import { sendAnthropicError } from "./messages-errors.js";
import { CountTokensRequest } from "./messages-schema.js";
import { serveJson } from "./routed-request.js";

/**
 * POST /v1/messages/count_tokens: exact from an Anthropic target, estimated locally for any other
 * (and marked `x-router-warnings: estimated:input_tokens`).
 */
export async function handleCountTokens(ctx: RequestContext): Promise<void> {
  const raw = await readBody(ctx.req, ctx.table.settings.maxBodyBytes);
  const json = parseJsonObject(raw);
  noteModelOf(ctx.draft, json);
  const body = validateBody(CountTokensRequest, json) as unknown as AnthropicRequest;
  await serveJson(ctx, {
    endpoint: "messages.count_tokens",
    modelName: body.model,
    model: resolveModel(ctx, body.model, "chat"),
    promptTokens: raw.length >> 2,
    plan: (t, target) => {
      const native = t.live.adapter.messages;
      if (native) return { request: native.countTokens(json, target) };
      return { local: JSON.stringify({ input_tokens: estimateInputTokens(body) }), warnings: ["estimated:input_tokens"] };
    },
    sendError: sendAnthropicError,
  });
}
