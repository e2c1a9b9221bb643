import type { Endpoint } from "../../endpoints/endpoint.js";
import { sendJson } from "../../http/respond.js";
import type { StallWatch } from "../../http/stall-watch.js";
import type { UsageRecorder } from "../../record/usage-recorder.js";
import type { TableStore } from "../../routing/table-store.js";
import { metricsEndpoint } from "./metrics-endpoint.js";

/** What the router's own endpoints read: the served table, the counters, the pools, the process state. */
export interface OperationsState {
  store: TableStore;
  usage: UsageRecorder;
  stalls: StallWatch;
  /** Unix ms the proxy started. */
  started: number;
  draining(): boolean;
  /** Serves `GET /metrics` (Prometheus text) from this registry. */
  metrics?: { metrics(): Promise<string> } | undefined;
  /** When set, `/metrics` asks for `Authorization: Bearer <token>`. */
  metricsToken?: string | undefined;
  /** `/metrics` open without a token even while client keys are required. */
  metricsPublic?: boolean | undefined;
  /** More Prometheus text appended to `/metrics` (the deprecated paths' counter). */
  metricsExtra?: (() => string) | undefined;
}

/** The router's own endpoints: `/health` (readiness), `/v1/stats` (the original's counters), `/metrics`. */
export function operationsEndpoints(s: OperationsState): Endpoint[] {
  const { store, usage } = s;
  return [
    {
      method: "GET",
      path: "/health",
      auth: false,
      needsTable: false,
      handle: (ctx) => {
        const t = store.current;
        const draining = s.draining();
        const body = {
          status: draining ? "draining" : t ? "ok" : "no_routing_table",
          revision: t?.revision ?? null,
          models: t?.models.size ?? 0,
          uptime_s: Math.round((Date.now() - s.started) / 1000),
        };
        sendJson(ctx.res, t && !draining ? 200 : 503, JSON.stringify(body));
      },
    },
    {
      method: "GET",
      path: "/v1/stats",
      auth: true,
      // A key limited to some models sees only those models' counters (and names).
      handle: (ctx) => {
        const allowed = ctx.key?.models;
        const models = [...ctx.table.models.keys()].filter((m) => !allowed || allowed.includes(m));
        sendJson(ctx.res, 200, JSON.stringify(usage.snapshot(models, allowed)));
      },
    },
    metricsEndpoint(store, s.stalls, s.metrics, { token: s.metricsToken, public: s.metricsPublic }, s.metricsExtra),
  ];
}
