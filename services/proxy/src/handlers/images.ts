import { performance } from "node:perf_hooks";
import type { OpenAIUsage } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { MultipartEndpoint, ProviderAdapter } from "@ai-router/providers";
import { readBody } from "../http/read-body.js";
import { sendJson } from "../http/respond.js";
import type { LiveTarget } from "../routing/runtime-table.js";
import type { Route } from "../server.js";
import type { AttemptOutcome } from "../upstream/failover.js";
import { readAll, sendUpstream, transportError } from "../upstream/send-upstream.js";
import { resolveModel } from "./chat-completions.js";
import { type RequestContext, servedHeaders } from "./context.js";
import { type ImageFormKind, readImageForm } from "./images-form.js";
import { finishRouted, route } from "./routed-request.js";

interface ImageFormSpec {
  endpoint: "images.edits" | "images.variations";
  kind: ImageFormKind;
  pick: (a: ProviderAdapter) => MultipartEndpoint | undefined;
}

/** Model used when the request names none: the only one OpenAI serves edits and variations with. */
const DEFAULT_MODEL = "dall-e-2";

/** POST /v1/images/edits: multipart or JSON in, multipart upstream, routed and failed over. */
export const handleImageEdits = (ctx: RequestContext) =>
  serveImageForm(ctx, { endpoint: "images.edits", kind: "edits", pick: (a) => a.imageEdits });

/** POST /v1/images/variations: like edits, without a prompt. */
export const handleImageVariations = (ctx: RequestContext) =>
  serveImageForm(ctx, { endpoint: "images.variations", kind: "variations", pick: (a) => a.imageVariations });

async function serveImageForm(ctx: RequestContext, spec: ImageFormSpec): Promise<void> {
  const raw = await readBody(ctx.req, ctx.table.settings.maxBodyBytes);
  const form = readImageForm(raw, ctx.req.headers["content-type"], spec.kind);
  const name = form.model ?? DEFAULT_MODEL;
  const model = resolveModel(ctx, name, "image");
  const path = `/${spec.endpoint.replace(".", "/")}`;
  let usage: OpenAIUsage | undefined;
  const attempt = async (t: LiveTarget, n: number): Promise<AttemptOutcome> => {
    const t0 = performance.now();
    const ep = spec.pick(t.live.adapter);
    if (!ep) return { kind: "retry", error: new RouterError("unsupported_endpoint", `Provider ${t.provider} does not serve ${path}.`) };
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
      resp = await sendUpstream(t.live, ep.build(form.parts, target), ctx.signal);
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
  const hints = { promptTokens: Math.ceil((form.prompt?.length ?? 0) / 4), maxTokens: undefined, stream: false, now: Date.now() };
  const result = await route(ctx, model, hints, attempt);
  finishRouted(ctx, result, { model: name, endpoint: spec.endpoint, stream: false, usage });
}

/** GET /v1/images/models: the image models this key may use, in OpenAI's list format. */
export function handleImageModels(ctx: RequestContext): void {
  const allowed = ctx.key?.models;
  const data = [];
  for (const m of ctx.table.models.values()) {
    if (m.config.llmType !== "image" || (allowed && !allowed.includes(m.config.name))) continue;
    const providers = [...new Set(m.targets.map((t) => t.provider))];
    data.push({
      id: m.config.name,
      object: "model",
      created: m.config.created,
      owned_by: "ai-router",
      permission: providers,
      providers_count: providers.length,
      llm_type: "image",
    });
  }
  sendJson(ctx.res, 200, JSON.stringify({ object: "list", data }), { "x-request-id": ctx.id });
}

/** The image routes besides generations (which the JSON passthrough serves). */
export function imageRoutes(): Route[] {
  return [
    { method: "POST", path: "/v1/images/edits", auth: true, handle: handleImageEdits },
    { method: "POST", path: "/v1/images/variations", auth: true, handle: handleImageVariations },
    { method: "GET", path: "/v1/images/models", auth: true, handle: handleImageModels },
  ];
}
