import { performance } from "node:perf_hooks";
import { RouterError } from "@ai-router/errors";
import type { Endpoint } from "../../endpoints/endpoint.js";
import { sendJson } from "../../http/respond.js";
import type { LiveModel } from "../../routing/runtime-table.js";
import type { RequestContext } from "../context.js";
import { findModel, visibleModels } from "../model-api/models.js";
import {
  healthInfo,
  linksByProvider,
  overviewBody,
  performanceBody,
  providerLinks,
  providersListBody,
  viewOf,
} from "./health-providers.js";
import { aggregateStatus, countStatuses, type HealthStatus } from "./health-status.js";
import { bestForModelPath } from "./provider-ranking.js";

/**
 * The original's read-only health and provider endpoints (`/v1/health*`, `/v1/providers*`), answered
 * from the proxy's passive health and usage counters: nothing is probed, nothing costs money.
 */
export function compatHealthEndpoints(): Endpoint[] {
  const get = (path: string, handle: Endpoint["handle"]): Endpoint => ({ method: "GET", path, auth: true, handle });
  const overview = (ctx: RequestContext) => send(ctx, overviewBody(ctx, Date.now()));
  const list = (ctx: RequestContext) => send(ctx, providersListBody(ctx, Date.now()));
  return [
    get("/v1/health", handleOverallHealth),
    get("/v1/health/providers", handleHealthProviders),
    get("/v1/health/models/*", handleModelHealth),
    get("/v1/providers", list),
    get("/v1/providers/stats/overview", overview),
    get("/v1/providers/*", handleProviderPath),
  ];
}

const send = (ctx: RequestContext, body: unknown) => sendJson(ctx.res, 200, JSON.stringify(body), { "x-request-id": ctx.id });

const notFound = (ctx: RequestContext, path: string) =>
  new RouterError("not_found", `Unknown request URL: ${ctx.req.method} ${path}. Please check the URL for typos.`, {
    publicCode: "unknown_url",
  });

/** `timeout` and `use_concurrent` are accepted and echoed (nothing is probed, so neither changes anything). */
function echoedParams(ctx: RequestContext, defaultTimeout: number) {
  const q = new URL(ctx.req.url ?? "/", "http://x").searchParams;
  const timeout = Number(q.get("timeout"));
  return { concurrent: q.get("use_concurrent") !== "false", timeout: q.has("timeout") && timeout > 0 ? timeout : defaultTimeout };
}

/** Each target's status, keyed by provider (by `provider/upstream` when one provider serves it twice). */
function modelProviders(model: LiveModel, status: (t: LiveModel["targets"][number]) => HealthStatus) {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const t of model.targets) (seen.has(t.provider) ? twice : seen).add(t.provider);
  const out: Record<string, HealthStatus> = {};
  for (const t of model.targets) out[twice.has(t.provider) ? t.id : t.provider] = status(t);
  return out;
}

function modelHealth(model: LiveModel, status: (t: LiveModel["targets"][number]) => HealthStatus) {
  const providers = modelProviders(model, status);
  const c = countStatuses(Object.values(providers));
  return { status: aggregateStatus(c), providers, healthy_providers: c.healthy, total_providers: model.targets.length };
}

/** GET /v1/health/: every visible model's status and the overall status, aggregated the same way. */
function handleOverallHealth(ctx: RequestContext): void {
  const t0 = performance.now();
  const now = Date.now();
  const view = viewOf(ctx, now);
  const models: Record<string, ReturnType<typeof modelHealth>> = {};
  for (const m of visibleModels(ctx)) models[m.config.name] = modelHealth(m, (t) => view(t).status);
  const c = countStatuses(Object.values(models).map((m) => m.status));
  send(ctx, {
    status: aggregateStatus(c),
    timestamp: new Date(now).toISOString(),
    models,
    healthy_models: c.healthy,
    total_models: Object.keys(models).length,
    use_database: false,
    execution_time: Math.round(performance.now() - t0) / 1000,
    ...echoedParams(ctx, 30),
  });
}

/** GET /v1/health/models/{model} (and the deprecated /v1/models/{model}/health): model ids may contain `/`. */
export function handleModelHealth(ctx: RequestContext, name: string): void {
  const t0 = performance.now();
  const model = findModel(ctx, name, "model_name");
  const now = Date.now();
  const view = viewOf(ctx, now);
  const h = modelHealth(model, (t) => view(t).status);
  const providers: Record<string, HealthStatus> = {};
  for (const [k, s] of Object.entries(h.providers)) providers[`${name}:${k}`] = s;
  send(ctx, {
    model_name: name,
    status: h.status,
    timestamp: new Date(now).toISOString(),
    providers,
    healthy_providers: h.healthy_providers,
    total_providers: h.total_providers,
    execution_time: Math.round(performance.now() - t0) / 1000,
    ...echoedParams(ctx, 10),
  });
}

/** GET /v1/health/providers: per provider, its models, aggregated status and base URL. */
function handleHealthProviders(ctx: RequestContext): void {
  const now = Date.now();
  const providers: Record<string, { models: string[]; health_status: HealthStatus; base_url: string | null }> = {};
  for (const [name, links] of linksByProvider(ctx, now)) {
    providers[name] = {
      models: [...new Set(links.map((l) => l.model))],
      health_status: aggregateStatus(countStatuses(links.map((l) => l.view.status))),
      base_url: ctx.table.providers.get(name)?.config.baseUrl ?? null,
    };
  }
  send(ctx, { timestamp: new Date(now).toISOString(), providers });
}

/** GET /v1/providers/{name}/health, /performance and /best-for-model. */
function handleProviderPath(ctx: RequestContext, rest: string): void {
  const i = rest.lastIndexOf("/");
  const action = rest.slice(i + 1);
  if (i > 0 && action === "best-for-model") {
    bestForModelPath(ctx);
    return;
  }
  if (i <= 0 || (action !== "health" && action !== "performance")) throw notFound(ctx, `/v1/providers/${rest}`);
  const name = rest.slice(0, i);
  const links = providerLinks(ctx, name, Date.now());
  send(ctx, action === "health" ? healthInfo(name, links) : performanceBody(ctx, name, links));
}
