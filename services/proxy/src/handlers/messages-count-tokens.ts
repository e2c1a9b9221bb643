import { performance } from "node:perf_hooks";
import { type AnthropicRequest, estimateInputTokens } from "@ai-router/providers";
import { parseJsonObject, readBody } from "../http/read-body.js";
import { sendJson } from "../http/respond.js";
import { validateBody } from "../http/validation.js";
import type { LiveTarget } from "../routing/runtime-table.js";
import type { AttemptOutcome } from "../upstream/failover.js";
import { readAll, sendUpstream, transportError } from "../upstream/send-upstream.js";
import { resolveModel } from "./chat-core.js";
import { type RequestContext, servedHeaders } from "./context.js";
import { sendAnthropicError } from "./messages-errors.js";
import { CountTokensRequest } from "./messages-schema.js";
import { finishRouted, route } from "./routed-request.js";

/**
 * POST /v1/messages/count_tokens: exact from an Anthropic target, estimated locally for any other
 * (and marked `x-router-warnings: estimated:input_tokens`).
 */
export async function handleCountTokens(ctx: RequestContext): Promise<void> {
  const raw = await readBody(ctx.req, ctx.table.settings.maxBodyBytes);
  const json = parseJsonObject(raw);
  const body = validateBody(CountTokensRequest, json) as unknown as AnthropicRequest;
  const model = resolveModel(ctx, body.model, "chat");

  const attempt = async (t: LiveTarget, n: number): Promise<AttemptOutcome> => {
    const t0 = performance.now();
    const native = t.live.adapter.messages;
    if (!native) {
      const estimate = JSON.stringify({ input_tokens: estimateInputTokens(body) });
      const headers = servedHeaders(ctx, t.provider, t.upstreamModel, n, ["estimated:input_tokens"]);
      sendJson(ctx.res, 200, estimate, headers);
      return { kind: "served", latencyMs: performance.now() - t0 };
    }
    const target = {
      provider: t.live.config,
      apiKey: t.live.nextKey(),
      upstreamModel: t.upstreamModel,
      params: t.params,
      clientHeaders: ctx.req.headers,
    };
    let status: number;
    let bytes: Buffer;
    try {
      const resp = await sendUpstream(t.live, native.countTokens(json, target), ctx.signal);
      status = resp.statusCode;
      bytes = await readAll(resp.body);
    } catch (err) {
      return { kind: "retry", error: transportError(err, t.provider) };
    }
    if (status >= 400) {
      const error = t.live.adapter.parseError(status, bytes);
      return { kind: error.retryable ? "retry" : "final", error };
    }
    sendJson(ctx.res, 200, bytes, servedHeaders(ctx, t.provider, t.upstreamModel, n));
    return { kind: "served", latencyMs: performance.now() - t0 };
  };

  const result = await route(ctx, model, { promptTokens: raw.length >> 2, maxTokens: undefined, stream: false, now: Date.now() }, attempt);
  finishRouted(ctx, result, { model: body.model, endpoint: "messages.count_tokens", stream: false, usage: undefined }, sendAnthropicError);
}
