import { bearerTokenCheck } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { Endpoint } from "../../endpoints/endpoint.js";
import type { StallWatch } from "../../http/stall-watch.js";
import type { TableStore } from "../../routing/table-store.js";
import { poolMetricsText } from "./pool-metrics.js";

/** Who may read `GET /metrics`. */
export interface MetricsAccess {
  /** `ROUTER_METRICS_TOKEN`: when set, the scrape needs `Authorization: Bearer <token>`, always. */
  token?: string;
  /** `ROUTER_METRICS_PUBLIC=true`: open without a token even while client keys are required (a private port). */
  public?: boolean;
}

/**
 * `GET /metrics` (Prometheus text: usage metrics and upstream pools). The metrics name models,
 * providers, volumes and costs of every key, so they follow the routing table's `auth_required`: while
 * client keys are required (or before the first table says otherwise), a scrape needs
 * `ROUTER_METRICS_TOKEN`, compared in constant time. A client key is not enough: one tenant would read
 * every tenant's figures. Without keys the router is open and so are its metrics.
 */
export function metricsEndpoint(
  store: TableStore,
  stalls: StallWatch,
  metrics: { metrics(): Promise<string> } | undefined,
  access: MetricsAccess,
  extra: () => string = () => "",
): Endpoint {
  const check = access.token ? bearerTokenCheck(access.token) : undefined;
  return {
    method: "GET",
    path: "/metrics",
    auth: false,
    needsTable: false,
    handle: async (ctx) => {
      if (check !== undefined) {
        if (check(ctx.req.headers.authorization) !== "ok") {
          throw new RouterError("invalid_api_key", "A valid metrics token is required (`Authorization: Bearer <ROUTER_METRICS_TOKEN>`).");
        }
      } else if (!access.public && (store.current?.authRequired ?? true)) {
        throw new RouterError(
          "invalid_api_key",
          "Metrics are closed while client keys are required: set ROUTER_METRICS_TOKEN and scrape with `Authorization: Bearer <token>` (or ROUTER_METRICS_PUBLIC=true on a private port).",
          { publicCode: "metrics_token_required" },
        );
      }
      const table = store.current;
      const text = (metrics ? await metrics.metrics() : "") + (table ? poolMetricsText(table, stalls) : "") + extra();
      ctx.res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "content-length": Buffer.byteLength(text) });
      ctx.res.end(text);
    },
  };
}
