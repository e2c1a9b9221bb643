import { RouterError } from "@ai-router/errors";
import { addTotals, newTotals, type UsageTotals } from "../../record/usage-recorder.js";
import type { LiveTarget } from "../../routing/runtime-table.js";
import type { RequestContext } from "../context.js";
import { visibleModels } from "../model-api/models.js";
import { aggregateStatus, countStatuses, type HealthStatus, meanKnown, type TargetView, viewTarget } from "./health-status.js";

/** One (model, target) pair: the original's "link" between a model and a provider. */
export interface Link {
  model: string;
  target: LiveTarget;
  view: TargetView;
}

/** Each target's view, computed once per target although models share targets. */
export function viewOf(ctx: RequestContext, now: number): (t: LiveTarget) => TargetView {
  const views = new Map<string, TargetView>();
  return (t) => {
    let v = views.get(t.id);
    if (!v) {
      v = viewTarget(t, ctx.usage.targetUsage(t.provider, t.upstreamModel), now);
      views.set(t.id, v);
    }
    return v;
  };
}

/**
 * The caller's visible links, by provider. Without a model-limited key every provider of the table is
 * listed (one without links has none); a limited key sees only the providers of its models.
 */
export function linksByProvider(ctx: RequestContext, now: number): Map<string, Link[]> {
  const out = new Map<string, Link[]>();
  if (!ctx.key?.models) for (const name of ctx.table.providers.keys()) out.set(name, []);
  const view = viewOf(ctx, now);
  for (const m of visibleModels(ctx)) {
    for (const t of m.targets) {
      let links = out.get(t.provider);
      if (!links) {
        links = [];
        out.set(t.provider, links);
      }
      links.push({ model: m.config.name, target: t, view: view(t) });
    }
  }
  return out;
}

export function providerLinks(ctx: RequestContext, name: string, now: number): Link[] {
  const links = linksByProvider(ctx, now).get(name);
  if (!links) {
    throw new RouterError("not_found", `The provider \`${name}\` does not exist or you do not have access to it.`, {
      param: "provider_name",
      publicCode: "provider_not_found",
    });
  }
  return links;
}

/** `health_info`: the original's shape, plus `unknown_models` and each link's `upstream_model`. */
export function healthInfo(name: string, links: Link[]) {
  const c = countStatuses(links.map((l) => l.view.status));
  return {
    provider_name: name,
    overall_health: aggregateStatus(c),
    average_score: meanKnown(links.map((l) => l.view.overallScore)),
    total_models: links.length,
    healthy_models: c.healthy,
    degraded_models: c.degraded,
    unhealthy_models: c.unhealthy,
    unknown_models: c.unknown,
    model_details: links.map((l) => ({
      model_id: l.model,
      upstream_model: l.target.upstreamModel,
      health_status: l.view.status,
      overall_score: l.view.overallScore,
      response_time_avg: l.view.responseTime,
      success_rate: l.view.successRate,
      cost_per_1k_tokens: l.view.costPer1k,
    })),
  };
}

/** The usage of some targets (for a model-limited key, which sees only its models' targets). */
function sumUsage(ctx: RequestContext, links: Link[]): UsageTotals {
  const sum = newTotals();
  for (const { target: t } of links) {
    const u = ctx.usage.targetUsage(t.provider, t.upstreamModel);
    if (u) addTotals(sum, u);
  }
  return sum;
}

/**
 * `/v1/providers/{name}/performance`. Request counts are upstream attempts (failovers included) from the
 * targets' health; tokens and cost are the requests the provider served, from the usage recorder.
 */
export function performanceBody(ctx: RequestContext, name: string, links: Link[]) {
  const targets = new Map<string, Link>();
  for (const l of links) if (!targets.has(l.target.id)) targets.set(l.target.id, l);
  let finished = 0;
  let failed = 0;
  const usage = ctx.key?.models ? sumUsage(ctx, [...targets.values()]) : ctx.usage.providerUsage(name);
  for (const { target: t } of targets.values()) {
    finished += t.health.requests - t.health.inFlight;
    failed += t.health.failures;
  }
  const views = [...targets.values()].map((l) => l.view);
  const c = countStatuses(links.map((l) => l.view.status));
  const tokens = usage ? usage.promptTokens + usage.completionTokens : 0;
  return {
    provider_name: name,
    total_requests: finished,
    total_successful_requests: finished - failed,
    total_failed_requests: failed,
    overall_success_rate: finished === 0 ? null : Math.round(((finished - failed) / finished) * 1000) / 1000,
    average_response_time: meanKnown(views.map((v) => v.responseTime)),
    average_success_rate: meanKnown(views.map((v) => v.successRate)),
    total_cost: usage?.costUsd ?? 0,
    total_tokens_used: tokens,
    cost_per_1k_tokens: usage && usage.pricedTokens > 0 ? (usage.costUsd / usage.pricedTokens) * 1000 : null,
    models_count: links.length,
    healthy_models: c.healthy,
    degraded_models: c.degraded,
    unhealthy_models: c.unhealthy,
    unknown_models: c.unknown,
  };
}

const percent = (n: number, total: number) => (total === 0 ? 0 : Math.round((n / total) * 1000) / 10);

/** `/v1/providers/stats/overview`: providers counted by their `overall_health`. */
export function overviewBody(ctx: RequestContext, now: number) {
  const infos = [...linksByProvider(ctx, now)].map(([name, links]) => healthInfo(name, links));
  const c = countStatuses(infos.map((i) => i.overall_health as HealthStatus));
  const total = infos.length;
  return {
    total_providers: total,
    healthy_providers: c.healthy,
    degraded_providers: c.degraded,
    unhealthy_providers: c.unhealthy,
    unknown_providers: c.unknown,
    average_score: meanKnown(infos.map((i) => i.average_score)),
    health_distribution: {
      healthy_percentage: percent(c.healthy, total),
      degraded_percentage: percent(c.degraded, total),
      unhealthy_percentage: percent(c.unhealthy, total),
      unknown_percentage: percent(c.unknown, total),
    },
  };
}

/** `/v1/providers/`: the original's list without database ids (standalone has none). */
export function providersListBody(ctx: RequestContext, now: number) {
  return {
    providers: [...linksByProvider(ctx, now)].map(([name, links]) => {
      const p = ctx.table.providers.get(name)?.config;
      return {
        name,
        provider_type: p?.type ?? null,
        official_endpoint: p?.baseUrl ?? null,
        is_enabled: true,
        health_info: healthInfo(name, links),
      };
    }),
  };
}
