import { RouterError } from "@ai-router/errors";
import { z } from "zod";
import type { ApiContext } from "./context.js";

const tag = "usage";
const WINDOW_MS = 86_400_000;
/** Recent window that says whether a provider is healthy now (live traffic, from the ledger). */
const RECENT_MS = 5 * 60_000;

type Row = Record<string, unknown>;
const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const r3 = (v: number) => Math.round(v * 1000) / 1000;

/** healthy (< 5% errors), degraded (< 50%), unhealthy, or unknown without recent traffic. */
function statusOf(requests: number, errors: number): "healthy" | "degraded" | "unhealthy" | "unknown" {
  if (requests === 0) return "unknown";
  const rate = errors / requests;
  return rate < 0.05 ? "healthy" : rate < 0.5 ? "degraded" : "unhealthy";
}

/**
 * The original's statistics views answered for the whole cluster from the usage ledger (every
 * replica's requests), instead of one replica's counters: `/v1/stats` since the last reset (at most the
 * last 24 h), `/v1/providers/stats/overview` and `/v1/providers/{name}/performance` over the last 24 h,
 * with health from the last 5 minutes of traffic.
 */
export function usageStatsRoutes(ctx: ApiContext, replicas: () => number): void {
  const { api, prisma } = ctx;
  let resetAt = 0;

  api.route(
    {
      method: "get",
      path: "/v1/stats",
      tag: "operations",
      summary: "Request counters of the whole cluster, from the usage ledger (seed shape)",
      description:
        "Every replica's requests since the last `POST /v1/stats/reset` (at most the last 24 h); `replicas` is how many report now.",
      response: z.object({
        timestamp: z.string(),
        use_database: z.boolean(),
        replicas: z.number().int(),
        stats: z.record(z.string(), z.unknown()),
      }),
    },
    async () => {
      const since = new Date(Math.max(resetAt, Date.now() - WINDOW_MS));
      const rows = await prisma.$queryRawUnsafe<Row[]>(
        `SELECT model, count(*)::float8 AS requests, (count(*) FILTER (WHERE status >= 400))::float8 AS failures,
           COALESCE(sum(prompt_tokens), 0)::float8 AS prompt, COALESCE(sum(completion_tokens), 0)::float8 AS completion,
           COALESCE(sum(cost_usd), 0)::float8 AS cost, extract(epoch FROM max(time))::float8 AS last
         FROM usage_records WHERE time >= $1 AND model IS NOT NULL GROUP BY model ORDER BY model`,
        since,
      );
      const models = await prisma.model.findMany({ where: { isEnabled: true }, select: { name: true }, orderBy: { id: "asc" } });
      const pick = (k: string) => Object.fromEntries(rows.map((r) => [r.model as string, n(r[k])]));
      return {
        timestamp: new Date().toISOString(),
        use_database: true,
        replicas: replicas(),
        stats: {
          request_counters: pick("requests"),
          failure_counters: pick("failures"),
          last_request_time: pick("last"),
          prompt_tokens: pick("prompt"),
          completion_tokens: pick("completion"),
          cost_usd: pick("cost"),
          available_models: models.map((m) => m.name),
        },
      };
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/stats/reset",
      tag: "operations",
      summary: "Start the cluster's `/v1/stats` counters again (the ledger itself is kept)",
      response: z.object({ message: z.string() }),
    },
    () => {
      resetAt = Date.now();
      ctx.stats?.reset();
      return { message: "Statistics reset" };
    },
  );

  /** Per provider over the window: requests (upstream attempts), failures, latency, tokens, cost, recent errors. */
  const perProvider = async (name?: string) => {
    const now = Date.now();
    const rows = await prisma.$queryRawUnsafe<Row[]>(
      `WITH a AS (
         SELECT a->>'provider' AS provider, a->>'outcome' AS outcome, (a->>'latency_ms')::float8 AS latency, u.time
         FROM usage_records u, jsonb_array_elements(u.attempts) a WHERE u.time >= $1
       ), s AS (
         SELECT provider, COALESCE(sum(prompt_tokens + completion_tokens), 0)::float8 AS tokens, COALESCE(sum(cost_usd), 0)::float8 AS cost,
           COALESCE(sum(prompt_tokens + completion_tokens) FILTER (WHERE cost_usd IS NOT NULL), 0)::float8 AS priced_tokens,
           count(DISTINCT model)::float8 AS models
         FROM usage_records WHERE time >= $1 AND provider IS NOT NULL GROUP BY provider
       )
       SELECT a.provider, count(*)::float8 AS requests, (count(*) FILTER (WHERE outcome <> 'served'))::float8 AS failed,
         avg(latency) FILTER (WHERE outcome = 'served') AS latency,
         (count(*) FILTER (WHERE time >= $2))::float8 AS recent, (count(*) FILTER (WHERE time >= $2 AND outcome <> 'served'))::float8 AS recent_failed,
         max(s.tokens) AS tokens, max(s.cost) AS cost, max(s.priced_tokens) AS priced_tokens, max(s.models) AS models
       FROM a LEFT JOIN s ON s.provider = a.provider
       ${name === undefined ? "" : "WHERE a.provider = $3"}
       GROUP BY a.provider ORDER BY a.provider`,
      ...(name === undefined
        ? [new Date(now - WINDOW_MS), new Date(now - RECENT_MS)]
        : [new Date(now - WINDOW_MS), new Date(now - RECENT_MS), name]),
    );
    return rows;
  };

  api.route(
    {
      method: "get",
      path: "/v1/providers/:name/performance",
      tag,
      summary: "One provider's performance over the last 24 h, cluster-wide (usage ledger)",
      response: z.record(z.string(), z.unknown()),
      errors: [404],
    },
    async (req) => {
      const name = String(req.params.name);
      const known = await prisma.provider.findUnique({ where: { name }, select: { id: true } });
      if (!known) throw new RouterError("not_found", `Provider ${name} not found.`, { param: "name" });
      const r = (await perProvider(name))[0] ?? {};
      const total = n(r.requests);
      const failed = n(r.failed);
      const links = await prisma.modelProvider.count({ where: { provider: { name } } });
      const status = statusOf(n(r.recent), n(r.recent_failed));
      return {
        provider_name: name,
        total_requests: total,
        total_successful_requests: total - failed,
        total_failed_requests: failed,
        overall_success_rate: total === 0 ? null : r3((total - failed) / total),
        average_response_time: r.latency === null || r.latency === undefined ? null : r3(n(r.latency) / 1000),
        average_success_rate: total === 0 ? null : r3((total - failed) / total),
        total_cost: n(r.cost),
        total_tokens_used: n(r.tokens),
        cost_per_1k_tokens: n(r.priced_tokens) > 0 ? (n(r.cost) / n(r.priced_tokens)) * 1000 : null,
        models_count: links,
        healthy_models: status === "healthy" ? links : 0,
        degraded_models: status === "degraded" ? links : 0,
        unhealthy_models: status === "unhealthy" ? links : 0,
        unknown_models: status === "unknown" ? links : 0,
        window_hours: 24,
      };
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/providers/stats/overview",
      tag,
      summary: "Providers by health, cluster-wide: from the last 5 minutes of traffic in the usage ledger",
      response: z.record(z.string(), z.unknown()),
    },
    async () => {
      const providers = await prisma.provider.findMany({ where: { isEnabled: true }, select: { name: true } });
      const rows = new Map((await perProvider()).map((r) => [r.provider as string, r]));
      const counts = { healthy: 0, degraded: 0, unhealthy: 0, unknown: 0 };
      const scores: number[] = [];
      for (const p of providers) {
        const r = rows.get(p.name);
        const recent = n(r?.recent);
        counts[statusOf(recent, n(r?.recent_failed))]++;
        if (recent > 0) scores.push(r3((recent - n(r?.recent_failed)) / recent));
      }
      const total = providers.length;
      const pct = (k: number) => (total === 0 ? 0 : Math.round((k / total) * 1000) / 10);
      return {
        total_providers: total,
        healthy_providers: counts.healthy,
        degraded_providers: counts.degraded,
        unhealthy_providers: counts.unhealthy,
        unknown_providers: counts.unknown,
        average_score: scores.length === 0 ? null : r3(scores.reduce((a, b) => a + b, 0) / scores.length),
        health_distribution: {
          healthy_percentage: pct(counts.healthy),
          degraded_percentage: pct(counts.degraded),
          unhealthy_percentage: pct(counts.unhealthy),
          unknown_percentage: pct(counts.unknown),
        },
      };
    },
  );
}
