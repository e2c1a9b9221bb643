import { z } from "zod";

/** The one prefix of every Prometheus series the proxy, the control plane and the health worker export. */
export const METRIC_PREFIX = "ai_router_";

/**
 * Series that were exported without the prefix up to 0.1 (`requests_total`, `breaker_open`...). With
 * `ROUTER_METRICS_LEGACY_NAMES=1` they are exported under their old names too, for one minor version,
 * so dashboards and alerts can move over; then the flag and these names go.
 */
export const LEGACY_METRIC_NAMES: ReadonlySet<string> = new Set([
  // proxy
  "requests_total",
  "request_duration_seconds",
  "ttft_seconds",
  "tokens_total",
  "cost_usd_total",
  "upstream_attempts_total",
  "usage_records_dropped_total",
  "in_flight_requests",
  "routing_table_revision",
  "breaker_open",
  // control plane
  "admin_requests_total",
  "tables_published_total",
  // health worker
  "probe_results_total",
  "ledger_rows_written_total",
  "ledger_lag_seconds",
]);

/** `ROUTER_METRICS_LEGACY_NAMES`: `1`/`true` also exports the deprecated unprefixed names; default off. */
export const MetricsLegacyNamesEnv = z
  .enum(["0", "1", "true", "false", ""])
  .default("0")
  .transform((v) => v === "1" || v === "true");

/**
 * Prometheus text with every prefixed family whose old name is in `legacy` repeated under that name
 * (HELP, TYPE and samples), appended at the end. Runs at scrape time only.
 */
export function withLegacyMetricNames(text: string, legacy: ReadonlySet<string> = LEGACY_METRIC_NAMES): string {
  let extra = "";
  let copying = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
      const end = line.indexOf(" ", 7);
      const name = line.slice(7, end < 0 ? undefined : end);
      copying = name.startsWith(METRIC_PREFIX) && legacy.has(name.slice(METRIC_PREFIX.length));
      if (!copying) continue;
      const old = line.slice(0, 7) + line.slice(7 + METRIC_PREFIX.length);
      extra += `${line.startsWith("# HELP ") ? `${old} (deprecated name: use ${name})` : old}\n`;
    } else if (copying && line.startsWith(METRIC_PREFIX)) {
      extra += `${line.slice(METRIC_PREFIX.length)}\n`;
    }
  }
  return extra === "" ? text : text + (text.endsWith("\n") || text === "" ? "" : "\n") + extra;
}
