import { describeStrategies, getStrategy, strategyNames } from "@ai-router/balancing";
import { RouterError } from "@ai-router/errors";
import type { Endpoint } from "../../endpoints/endpoint.js";
import { sendJson } from "../../http/respond.js";
import type { LiveModel, LiveTarget } from "../../routing/runtime-table.js";
import type { RequestContext } from "../context.js";
import { findModel, visibleModels } from "../model-api/models.js";
import { viewTarget } from "./health-status.js";

/**
 * Read-only `/v1/load-balancing/*` (the original's paths), answered from the proxy's live state:
 * strategies, per-candidate health and breaker state, and selection counts.
 */
export function loadBalancingEndpoints(): Endpoint[] {
  const base = "/v1/load-balancing";
  return [
    { method: "GET", path: `${base}/statistics`, auth: true, handle: handleStatistics },
    { method: "GET", path: `${base}/strategies`, auth: true, handle: (ctx) => send(ctx, strategiesBody()) },
    { method: "GET", path: `${base}/info`, auth: true, handle: handleInfo },
    { method: "GET", path: `${base}/model/*`, auth: true, handle: handleModelPath },
  ];
}

const send = (ctx: RequestContext, body: unknown) => sendJson(ctx.res, 200, JSON.stringify(body), { "x-request-id": ctx.id });

function strategiesBody() {
  return { strategies: strategyNames(), details: describeStrategies() };
}

function candidateStats(model: LiveModel, t: LiveTarget, now: number, totalSelections: number) {
  const selections = t.health.selectionsBy(model.config.name);
  return {
    id: t.id,
    provider: t.provider,
    upstream_model: t.upstreamModel,
    weight: t.weight,
    priority: t.priority,
    preferred: t.preferred,
    price: t.price ?? null,
    ...t.health.snapshot(now),
    selections,
    selection_share: totalSelections === 0 ? 0 : Math.round((selections / totalSelections) * 1000) / 1000,
    selections_all_models: t.health.selections,
  };
}

/** GET /statistics[?model_name=]: the original's three fields, plus per model its candidates' live stats. */
function handleStatistics(ctx: RequestContext): void {
  const q = new URL(ctx.req.url ?? "/", "http://x").searchParams.get("model_name");
  const models = q ? [findModel(ctx, q, "model_name")] : visibleModels(ctx);
  const now = Date.now();
  const distribution: Record<string, number> = {};
  let links = 0;
  const out = models.map((m) => {
    links += m.targets.length;
    distribution[m.config.strategy] = (distribution[m.config.strategy] ?? 0) + m.targets.length;
    let total = 0;
    for (const t of m.targets) total += t.health.selectionsBy(m.config.name);
    return {
      model: m.config.name,
      strategy: m.config.strategy,
      resolved_strategy: getStrategy(m.config.strategy)?.name ?? m.config.strategy,
      strategy_options: m.config.strategyOptions,
      selections: total,
      candidates: m.targets.map((t) => candidateStats(m, t, now, total)),
    };
  });
  send(ctx, {
    total_model_providers: links,
    strategy_distribution: distribution,
    available_strategies: strategyNames(),
    revision: ctx.table.revision,
    models: out,
  });
}

/** GET /info: the strategies plus this process's counters over the visible targets. */
function handleInfo(ctx: RequestContext): void {
  const now = Date.now();
  const seen = new Set<string>();
  const counters = { requests: 0, failures: 0, in_flight: 0, selections: 0, breakers_open: 0, breaker_opens: 0 };
  const models = visibleModels(ctx);
  for (const m of models) {
    for (const t of m.targets) {
      counters.selections += t.health.selectionsBy(m.config.name);
      if (seen.has(t.id)) continue; // one health object per target, shared by models
      seen.add(t.id);
      const h = t.health;
      counters.requests += h.requests;
      counters.failures += h.failures;
      counters.in_flight += h.inFlight;
      counters.breaker_opens += h.breakerOpens;
      if (h.breakerAt(now) !== "closed") counters.breakers_open++;
    }
  }
  send(ctx, Object.assign(strategiesBody(), { revision: ctx.table.revision, models: models.length, targets: seen.size, counters }));
}

/** GET /model/{m}/strategies: per link, the original's shape from live data. */
function handleModelPath(ctx: RequestContext, rest: string): void {
  const suffix = "/strategies";
  if (!rest.endsWith(suffix)) throw new RouterError("not_found", `Unknown request URL: GET /v1/load-balancing/model/${rest}.`);
  const model = findModel(ctx, rest.slice(0, -suffix.length), "model_name");
  const now = Date.now();
  send(
    ctx,
    model.targets.map((t) => {
      const view = viewTarget(t, ctx.usage.targetUsage(t.provider, t.upstreamModel), now);
      return {
        provider_name: t.provider,
        upstream_model: t.upstreamModel,
        strategy: model.config.strategy,
        strategy_config: model.config.strategyOptions,
        priority: t.priority,
        weight: t.weight,
        is_preferred: t.preferred,
        health_status: view.status,
        breaker: t.health.breakerAt(now),
        overall_score: view.overallScore,
      };
    }),
  );
}
