import { performance } from "node:perf_hooks";
import type { OpenAIUsage } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { PassthroughEndpoint, ProviderAdapter } from "@ai-router/providers";
import type { z } from "zod";
import { parseJsonObject, readBody } from "../http/read-body.js";
import { sendJson } from "../http/respond.js";
import { validateBody } from "../http/validation.js";
import type { LiveTarget } from "../routing/runtime-table.js";
import type { AttemptOutcome } from "../upstream/failover.js";
import { readAll, sendUpstream, transportError } from "../upstream/send-upstream.js";
import { resolveModel } from "./chat-completions.js";
import { type RequestContext, servedHeaders } from "./context.js";
import { finishRouted, route } from "./routed-request.js";

export interface PassthroughSpec {
  endpoint: string;
  llmType: "embedding" | "image";
  schema: z.ZodType<{ model?: string | undefined }>;
  pick: (a: ProviderAdapter) => PassthroughEndpoint | undefined;
  /** Model used when the request names none (images). */
  defaultModel?: string;
}

/** JSON endpoints forwarded as is to OpenAI-style providers, with routing and failover (embeddings, images). */
export async function handlePassthrough(ctx: RequestContext, spec: PassthroughSpec): Promise<void> {
  const raw = await readBody(ctx.req, ctx.table.settings.maxBodyBytes);
  const json = parseJsonObject(raw);
  const body = validateBody(spec.schema, json);
  const name = body.model ?? spec.defaultModel;
  if (!name) throw new RouterError("invalid_request", "Missing required parameter: 'model'.", { param: "model" });
  const model = resolveModel(ctx, name, spec.llmType);
  let usage: OpenAIUsage | undefined;
  const attempt = async (t: LiveTarget, n: number): Promise<AttemptOutcome> => {
    const t0 = performance.now();
    const ep = spec.pick(t.live.adapter);
    if (!ep) {
      return { kind: "retry", error: new RouterError("unsupported_endpoint", `Provider ${t.provider} does not serve ${spec.endpoint}.`) };
    }
    const target = {
      provider: t.live.config,
      apiKey: t.live.nextKey(),
      upstreamModel: t.upstreamModel,
      params: t.params,
      clientHeaders: ctx.req.headers,
    };
    let resp: Awaited<ReturnType<typeof sendUpstream>>;
    let bytes: Buffer;
    try {
      resp = await sendUpstream(t.live, ep.build(json, target), ctx.signal);
      bytes = await readAll(resp.body);
    } catch (err) {
      return { kind: "retry", error: transportError(err, t.provider) };
    }
    if (resp.statusCode >= 400) {
      const error = t.live.adapter.parseError(resp.statusCode, bytes);
      return { kind: error.retryable ? "retry" : "final", error };
    }
    usage = ep.usage(bytes);
    sendJson(ctx.res, 200, bytes, servedHeaders(ctx, t.provider, t.upstreamModel, n));
    return { kind: "served", latencyMs: performance.now() - t0 };
  };
  const result = await route(ctx, model, { promptTokens: raw.length >> 2, maxTokens: undefined, stream: false, now: Date.now() }, attempt);
  finishRouted(ctx, result, { model: name, endpoint: spec.endpoint, stream: false, usage });
}
