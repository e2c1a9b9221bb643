import { readFileSync } from "node:fs";
import { createLogger } from "@ai-router/logger";
import { describe, expect, it } from "vitest";
import { ControlPlaneMetrics } from "../services/control-plane/src/http/metrics.js";
import { WorkerMetrics } from "../services/health-worker/src/worker-metrics.js";
import { poolMetricsText } from "../services/proxy/src/handlers/operations/pool-metrics.js";
import type { StallWatch } from "../services/proxy/src/http/stall-watch.js";
import { ProxyMetrics } from "../services/proxy/src/metrics/proxy-metrics.js";
import type { RuntimeTable } from "../services/proxy/src/routing/runtime-table.js";
import { TableStore } from "../services/proxy/src/routing/table-store.js";
import { DEPRECATED_PATHS } from "../services/proxy/src/versions/deprecated-paths.js";
import { Deprecations } from "../services/proxy/src/versions/deprecation.js";

// The committed Grafana dashboard queries only series the three services export (by their TYPE lines,
// so families with no sample yet count too; a histogram family stands for its _bucket/_sum/_count).
const dashboard = JSON.parse(readFileSync(new URL("../deploy/grafana/ai-router.json", import.meta.url), "utf8")) as {
  panels: { type: string; title: string; targets?: { expr: string }[] }[];
  templating: { list: { definition?: string }[] };
};

function exported(text: string, into: Set<string>): void {
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    into.add(name);
    if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) into.add(name + s);
    if (type === "summary") for (const s of ["_sum", "_count"]) into.add(name + s);
  }
}

describe("Grafana dashboard (deploy/grafana/ai-router.json)", () => {
  it("queries only ai_router_* series that the proxy, control plane or health worker export", async () => {
    const names = new Set<string>();
    const store = new TableStore(createLogger({ name: "t", level: "silent", sync: true }));
    exported(await new ProxyMetrics(store, () => 0).metrics(), names);
    exported(poolMetricsText({ providers: new Map() } as unknown as RuntimeTable, { cut: 0 } as StallWatch), names);
    exported(new Deprecations(DEPRECATED_PATHS).metricsText(), names);
    exported(
      await new ControlPlaneMetrics(
        () => undefined,
        () => undefined,
      ).metrics(),
      names,
    );
    exported(await new WorkerMetrics().metrics(), names);
    const queries = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
      ...dashboard.templating.list.map((v) => v.definition ?? ""),
    ];
    const used = new Set(queries.flatMap((q) => [...q.matchAll(/\b[a-z_:][a-z0-9_:]*(?=[{[(\s),]|$)/g)].map((m) => m[0])));
    const series = [...used].filter((n) => n.startsWith("ai_router_"));
    expect(series.length).toBeGreaterThan(20);
    expect(series.filter((n) => !names.has(n))).toEqual([]);
    // No panel reads a deprecated unprefixed name.
    const legacy = ["requests_total", "ttft_seconds_bucket", "breaker_open", "ledger_lag_seconds"];
    expect([...used].filter((n) => legacy.includes(n))).toEqual([]);
  });

  it("has a panel for each concern: traffic, latency, tokens, cost, upstreams, ledger, deprecations, process", () => {
    const all = JSON.stringify(dashboard.panels.map((p) => p.targets?.map((t) => t.expr)));
    for (const name of [
      "ai_router_requests_total",
      "ai_router_ttft_seconds_bucket",
      "ai_router_cost_usd_total",
      "ai_router_breaker_open",
      "ai_router_ledger_lag_seconds",
      "ai_router_deprecated_requests_total",
      "ai_router_process_cpu_seconds_total",
      "ai_router_nodejs_eventloop_lag_p99_seconds",
      "ai_router_nodejs_gc_duration_seconds_sum",
    ]) {
      expect(all).toContain(name);
    }
  });
});
