import { getStrategy, type RequestHints } from "@ai-router/balancing";
import { RouterError } from "@ai-router/errors";
import type { Endpoint } from "../../endpoints/endpoint.js";
import { sendJson } from "../../http/respond.js";
import type { LiveModel, LiveTarget } from "../../routing/runtime-table.js";
import type { RequestContext } from "../context.js";
import { findModel } from "../model-api/models.js";
import { healthInfo, linksByProvider, viewOf } from "./health-providers.js";

const send = (ctx: RequestContext, body: unknown) => sendJson(ctx.res, 200, JSON.stringify(body), { "x-request-id": ctx.id });
const query = (ctx: RequestContext) => new URL(ctx.req.url ?? "/", "http://x").searchParams;

/**
 * The original's provider rankings, answered from live health and the strategies' own scoring:
 * `/v1/providers/top` (providers by score), `/v1/providers/recommendations?model=` (a model's targets
 * in the order its strategy would try them now) and `/v1/providers/best-for-model?model=` (the first).
 */
export function providerRankingEndpoints(): Endpoint[] {
  const get = (path: string, handle: Endpoint["handle"]): Endpoint => ({ method: "GET", path, auth: true, handle });
  return [
    get("/v1/providers/top", handleTop),
    get("/v1/providers/recommendations", (ctx) => send(ctx, recommendations(ctx, modelParam(ctx)))),
    get("/v1/providers/best-for-model", (ctx) => send(ctx, best(ctx, modelParam(ctx)))),
  ];
}

/** `/v1/providers/{name}/best-for-model`: the original's path (its `{name}` was ignored, and is here). */
export function bestForModelPath(ctx: RequestContext): void {
  send(ctx, best(ctx, modelParam(ctx)));
}

/** `model`, or the original's `model_name`; a 400 naming the parameter when neither is given. */
function modelParam(ctx: RequestContext): LiveModel {
  const q = query(ctx);
  const name = q.get("model") ?? q.get("model_name");
  if (!name) throw new RouterError("invalid_request", "Missing required query parameter: 'model'.", { param: "model" });
  return findModel(ctx, name, q.has("model") ? "model" : "model_name");
}

/** GET /v1/providers/top?limit=5 (1-20): providers by their links' mean overall score, best first. */
function handleTop(ctx: RequestContext): void {
  const raw = query(ctx).get("limit");
  const limit = raw === null ? 5 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 20) {
    throw new RouterError("invalid_request", "limit must be an integer from 1 to 20.", { param: "limit" });
  }
  const infos = [...linksByProvider(ctx, Date.now())].map(([name, links]) => healthInfo(name, links));
  // Known scores first (highest first); providers with no outcome yet after them, by name.
  infos.sort((a, b) => (b.average_score ?? -1) - (a.average_score ?? -1) || a.provider_name.localeCompare(b.provider_name));
  send(ctx, {
    providers: infos.slice(0, limit).map((i, rank) => ({
      rank: rank + 1,
      provider_name: i.provider_name,
      overall_health: i.overall_health,
      average_score: i.average_score,
      total_models: i.total_models,
      healthy_models: i.healthy_models,
    })),
    total: infos.length,
    limit,
  });
}

/**
 * The model's targets in the order its strategy would try them for a typical request now. A fresh
 * balancer is built for the answer, so asking never moves the live one's counters (round robin).
 */
function recommendations(ctx: RequestContext, model: LiveModel) {
  const now = Date.now();
  const hints: RequestHints = { promptTokens: 1000, maxTokens: undefined, stream: false, now };
  const strategy = getStrategy(model.config.strategy);
  const ordered = (strategy?.create(model.targets, model.config.strategyOptions, Math.random).order(hints) ??
    model.targets) as LiveTarget[];
  const view = viewOf(ctx, now);
  return {
    model_name: model.config.name,
    strategy: model.config.strategy,
    recommendations: ordered.map((t, i) => {
      const v = view(t);
      return {
        rank: i + 1,
        provider_name: t.provider,
        upstream_model: t.upstreamModel,
        available: t.health.available(now) && t.health.manual !== "unhealthy",
        health_status: v.status,
        overall_score: v.overallScore,
        response_time_avg: v.responseTime,
        success_rate: v.successRate,
        cost_per_1k_tokens: v.costPer1k,
        weight: t.weight,
        priority: t.priority,
        is_preferred: t.preferred,
      };
    }),
  };
}

function best(ctx: RequestContext, model: LiveModel) {
  const r = recommendations(ctx, model);
  const first = r.recommendations.find((x) => x.available) ?? null;
  return { model_name: r.model_name, strategy: r.strategy, best_provider: first?.provider_name ?? null, details: first };
}
