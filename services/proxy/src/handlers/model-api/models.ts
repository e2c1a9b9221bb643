import type { LlmType } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { privateModels } from "../../fine-tuning/private-models.js";
import { authorizeModel } from "../../http/auth.js";
import { sendJson } from "../../http/respond.js";
import type { LiveModel } from "../../routing/runtime-table.js";
import { handleModelHealth } from "../compat/health-routes.js";
import type { RequestContext } from "../context.js";

/** The models the caller's key may use (of one kind, if given), in table order. */
export function visibleModels(ctx: RequestContext, llmType?: LlmType): LiveModel[] {
  const allowed = ctx.key?.models;
  const out: LiveModel[] = [];
  for (const m of ctx.table.models.values()) {
    if ((llmType === undefined || m.config.llmType === llmType) && (!allowed || allowed.includes(m.config.name))) out.push(m);
  }
  if (privateModels.size === 0) return out;
  // The key's fine-tuned models, after the table's.
  for (const m of privateModels.visible(ctx.table, ctx.record.keyId ?? "")) {
    const base = privateModels.baseOf(m.config.name) as string;
    if ((llmType === undefined || m.config.llmType === llmType) && (!allowed || allowed.includes(base))) out.push(m);
  }
  return out;
}

/** A model by name: 404 when unknown, 403 when the key may not use it. */
export function findModel(ctx: RequestContext, name: string, param = "model"): LiveModel {
  const model = ctx.table.models.get(name);
  const lookups = ctx.usage.modelLookups;
  if (model) lookups.hits++;
  else {
    // A fine-tuned model (its owner's, or shared) is looked up only when the table has no such name;
    // a key limited to some models may use it when it may use its base model.
    const ft = privateModels.size > 0 ? privateModels.find(ctx.table, name, ctx.record.keyId ?? "") : undefined;
    if (ft !== undefined) {
      lookups.hits++;
      authorizeModel(ctx.key, privateModels.baseOf(name) as string);
      return ft;
    }
    lookups.misses++;
    throw new RouterError("model_not_found", `The model \`${name}\` does not exist or you do not have access to it.`, {
      param,
      publicCode: "model_not_found",
    });
  }
  authorizeModel(ctx.key, name);
  return model;
}

/** OpenAI's model object plus the original's extra fields (providers, counts, type). */
export function modelObject(m: LiveModel) {
  const providers = [...new Set(m.targets.map((t) => t.provider))];
  return {
    id: m.config.name,
    object: "model",
    created: m.config.created,
    owned_by: "ai-router",
    root: m.config.name,
    parent: null,
    permission: providers,
    providers_count: providers.length,
    llm_type: m.config.llmType,
    ...(m.config.description ? { description: m.config.description } : {}),
    capabilities: (m.config.capabilities ?? []).map((c) => ({ capability_name: c })),
    capabilities_count: m.config.capabilities?.length ?? 0,
  };
}

/**
 * Whether a broken stream of this model is finished on another target, and which of its providers can
 * (the assistant prefill each takes, null: it cannot continue a stream).
 */
function continuationOf(m: LiveModel) {
  const seen = new Map<string, string | null>();
  for (const t of m.targets) seen.set(t.provider, t.live.adapter.descriptor.prefill ?? null);
  return {
    enabled: m.config.streamContinuation === true,
    providers: [...seen].map(([provider, prefill]) => ({ provider, prefill })),
  };
}

/**
 * `?capability=TOOLS` (repeatable) or the original's `?capabilities=TEXT,TOOLS`: only models that
 * declare every one of them. Names compare case-insensitively.
 */
function capabilityFilter(url: string | undefined): string[] {
  const q = new URL(url ?? "/", "http://x").searchParams;
  const wanted = [...q.getAll("capability"), ...q.getAll("capabilities")].flatMap((v) => v.split(","));
  return wanted.map((c) => c.trim().toUpperCase()).filter((c) => c !== "");
}

/** GET /v1/models: the models this key may use. */
export function handleListModels(ctx: RequestContext): void {
  const wanted = capabilityFilter(ctx.req.url);
  const models = visibleModels(ctx).filter((m) => wanted.every((c) => m.config.capabilities?.includes(c)));
  const data = models.map(modelObject);
  sendJson(ctx.res, 200, JSON.stringify({ object: "list", data }), { "x-request-id": ctx.id });
}

/** GET /v1/models/{model} and /v1/models/{model}/capabilities; model ids may contain slashes. */
export function handleGetModel(ctx: RequestContext, name: string): void {
  const suffix = "/capabilities";
  if (name === "capabilities" && !ctx.table.models.has(name)) {
    const models = visibleModels(ctx).map((m) => ({
      model_name: m.config.name,
      capabilities: (m.config.capabilities ?? []).map((c) => ({ capability_name: c })),
    }));
    sendJson(ctx.res, 200, JSON.stringify({ models }), { "x-request-id": ctx.id });
    return;
  }
  if (name.endsWith("/health") && !ctx.table.models.has(name)) {
    // The original's older duplicate of /v1/health/models/{model} (deprecated: docs/api-versions.md).
    handleModelHealth(ctx, name.slice(0, -"/health".length));
    return;
  }
  if (name.endsWith(suffix) && !ctx.table.models.has(name)) {
    const m = findModel(ctx, name.slice(0, -suffix.length));
    const caps = m.config.capabilities ?? [];
    const body = {
      model_name: m.config.name,
      capabilities: caps.map((c) => ({ capability_name: c })),
      declared: m.config.capabilities !== undefined,
      stream_continuation: continuationOf(m),
    };
    sendJson(ctx.res, 200, JSON.stringify(body), { "x-request-id": ctx.id });
    return;
  }
  sendJson(ctx.res, 200, JSON.stringify(modelObject(findModel(ctx, name))), { "x-request-id": ctx.id });
}

/**
 * GET /v1/models/cache/stats (the original's shape): the models live in the routing table held in
 * memory, so every lookup of a known model is a hit and an unknown model a miss; nothing expires (`ttl`
 * null) and a new table replaces the whole cache at once.
 */
export function handleModelCacheStats(ctx: RequestContext): void {
  const { hits, misses, since } = ctx.usage.modelLookups;
  const total = hits + misses;
  sendJson(
    ctx.res,
    200,
    JSON.stringify({
      message: "Model cache statistics",
      stats: {
        hits,
        misses,
        hit_rate: total === 0 ? 0 : Math.round((hits / total) * 10_000) / 10_000,
        ttl: null,
        cached_models: ctx.table.models.size,
        revision: ctx.table.revision,
        loaded_at: ctx.table.generatedAt,
        counting_since: new Date(since).toISOString(),
      },
      timestamp: Date.now() / 1000,
    }),
    { "x-request-id": ctx.id },
  );
}
