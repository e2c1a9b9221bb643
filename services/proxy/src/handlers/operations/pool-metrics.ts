import type { StallWatch } from "../../http/stall-watch.js";
import type { RuntimeTable } from "../../routing/runtime-table.js";
import type { RequestContext } from "../context.js";

const label = (v: string) => v.replace(/["\\\n]/g, "_");

/**
 * `GET /metrics`: the upstream pools in Prometheus' text format: per provider, connections in use, the
 * size, requests waiting now, waits that got a connection (count, total ms) and waits that ran out
 * (503 `upstream_busy`); and responses cut because the client stopped reading.
 */
export function poolMetrics(ctx: RequestContext, stalls: StallWatch): void {
  const body = poolMetricsText(ctx.table, stalls);
  ctx.res.writeHead(200, { "content-type": "text/plain; version=0.0.4", "content-length": Buffer.byteLength(body) });
  ctx.res.end(body);
}

/** The pool gauges and counters in Prometheus text (appended to the proxy's other metrics). */
export function poolMetricsText(table: RuntimeTable, stalls: StallWatch): string {
  const rows: Record<string, string[]> = {
    ai_router_upstream_pool_size: ["# TYPE ai_router_upstream_pool_size gauge"],
    ai_router_upstream_pool_in_use: ["# TYPE ai_router_upstream_pool_in_use gauge"],
    ai_router_upstream_pool_queued: ["# TYPE ai_router_upstream_pool_queued gauge"],
    ai_router_upstream_pool_waits_total: ["# TYPE ai_router_upstream_pool_waits_total counter"],
    ai_router_upstream_pool_wait_ms_total: ["# TYPE ai_router_upstream_pool_wait_ms_total counter"],
    ai_router_upstream_pool_wait_timeouts_total: ["# TYPE ai_router_upstream_pool_wait_timeouts_total counter"],
  };
  for (const p of table.providers.values()) {
    const g = p.gate;
    if (!g) continue;
    const l = `{provider="${label(p.config.name)}"}`;
    rows.ai_router_upstream_pool_size!.push(`ai_router_upstream_pool_size${l} ${g.limit}`);
    rows.ai_router_upstream_pool_in_use!.push(`ai_router_upstream_pool_in_use${l} ${g.inUse}`);
    rows.ai_router_upstream_pool_queued!.push(`ai_router_upstream_pool_queued${l} ${g.queued}`);
    rows.ai_router_upstream_pool_waits_total!.push(`ai_router_upstream_pool_waits_total${l} ${g.waited}`);
    rows.ai_router_upstream_pool_wait_ms_total!.push(`ai_router_upstream_pool_wait_ms_total${l} ${Math.round(g.waitedMs)}`);
    rows.ai_router_upstream_pool_wait_timeouts_total!.push(`ai_router_upstream_pool_wait_timeouts_total${l} ${g.timeouts}`);
  }
  return `${Object.values(rows)
    .map((r) => r.join("\n"))
    .join("\n")}\n# TYPE ai_router_client_stalls_cut_total counter\nai_router_client_stalls_cut_total ${stalls.cut}\n`;
}
