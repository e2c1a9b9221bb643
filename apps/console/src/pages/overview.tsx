import { useEffect, useMemo, useState } from "react";
import { ApiError, api } from "../api/client.js";
import type { ClientKeyOut, GroupBy, SummaryRow, UsageSummary } from "../api/types.js";
import { type Series, TimeChart } from "../components/chart.js";
import { DataTable } from "../components/data-table.js";
import { Empty } from "../components/empty-state.js";
import { ErrorAlert } from "../components/error-alert.js";
import { Card, PageHead, Stat } from "../components/ui.js";
import { fmtInt, fmtMs, fmtPct, fmtUsd } from "../format.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/index.js";
import { TERMS } from "../i18n/terms.js";
import { Link } from "../router.js";
import { useHealth } from "./health.js";
import { ProviderHealthCard } from "./overview-health.js";

type Range = "hour" | "day" | "week";
const RANGES: { id: Range; key: MessageKey; ms: number; bucket: GroupBy }[] = [
  { id: "hour", key: "overview.lastHour", ms: 3600_000, bucket: "hour" },
  { id: "day", key: "overview.lastDay", ms: 24 * 3600_000, bucket: "hour" },
  { id: "week", key: "overview.lastWeek", ms: 7 * 24 * 3600_000, bucket: "day" },
];

const EMPTY: Omit<SummaryRow, "key"> = {
  requests: 0,
  errors: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  cached_tokens: 0,
  cost_usd: 0,
  cache_creation_tokens: 0,
  cache_hit_ratio: null,
  cache_saved_usd: 0,
  latency_p50_ms: null,
  latency_p95_ms: null,
  ttft_p50_ms: null,
};

/** Every hour (or day) of the window, in order: buckets without traffic count 0 (latencies stay empty). */
export function bucketRows(rows: SummaryRow[], r: { ms: number; bucket: GroupBy }, now: number): SummaryRow[] {
  const step = r.bucket === "day" ? 86_400_000 : 3_600_000;
  const byTime = new Map(rows.filter((x) => x.key).map((x) => [Math.floor(Date.parse(x.key ?? "") / step) * step, x]));
  const out: SummaryRow[] = [];
  for (let t = Math.floor((now - r.ms) / step) * step; t <= now; t += step)
    out.push(byTime.get(t) ?? { key: new Date(t).toISOString(), ...EMPTY });
  return out;
}

interface Data {
  series: UsageSummary;
  byModel: UsageSummary;
  byProvider: UsageSummary;
  byKey: UsageSummary;
}

function GroupTable(props: { title: string; rows: SummaryRow[]; label?: (key: string | null) => string }) {
  const { t, locale } = useI18n();
  const top = useMemo(() => [...props.rows].sort((a, b) => b.requests - a.requests).slice(0, 8), [props.rows]);
  return (
    <Card title={props.title}>
      <DataTable
        rows={top}
        rowKey={(r) => r.key ?? "-"}
        empty={<Empty title={t("overview.noTraffic")} />}
        columns={[
          { header: t("common.name"), cell: (r) => (props.label ? props.label(r.key) : (r.key ?? "–")) },
          { header: t("overview.requests"), num: true, cell: (r) => fmtInt(locale, r.requests) },
          { header: t("overview.errorRate"), num: true, cell: (r) => fmtPct(locale, r.requests ? r.errors / r.requests : 0) },
          { header: t("usage.tokens"), num: true, cell: (r) => fmtInt(locale, r.prompt_tokens + r.completion_tokens) },
          { header: t("usage.cost"), num: true, cell: (r) => fmtUsd(locale, r.cost_usd) },
          { header: t("overview.cacheHits"), num: true, cell: (r) => fmtPct(locale, r.cache_hit_ratio) },
          { header: t("overview.cacheSaved"), num: true, cell: (r) => fmtUsd(locale, r.cache_saved_usd) },
          { header: t("overview.responseCacheHits"), num: true, cell: (r) => fmtInt(locale, r.response_cache_hits ?? 0) },
          { header: TERMS.p95, num: true, cell: (r) => fmtMs(r.latency_p95_ms) },
        ]}
      />
    </Card>
  );
}

export function OverviewPage() {
  const { t, locale } = useI18n();
  const [range, setRange] = useState<Range>("day");
  const [data, setData] = useState<Data>();
  const [error, setError] = useState<unknown>();
  const [keys, setKeys] = useState<ClientKeyOut[]>([]);
  const { health } = useHealth(10_000);

  useEffect(() => {
    const r = RANGES.find((x) => x.id === range) ?? RANGES[1];
    const q = { from: new Date(Date.now() - r.ms).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const summary = (group_by: GroupBy) => api<UsageSummary>("GET", "/v1/db/usage/summary", { query: { ...q, group_by } });
    let live = true;
    setError(undefined);
    Promise.all([summary(r.bucket), summary("model"), summary("provider"), summary("key")]).then(
      ([series, byModel, byProvider, byKey]) => live && setData({ series, byModel, byProvider, byKey }),
      (err) => {
        if (!live) return;
        setError(err);
        setData(undefined);
      },
    );
    api<{ keys: ClientKeyOut[] }>("GET", "/v1/db/keys").then(
      (k) => live && setKeys(k.keys),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [range]);

  const charts = useMemo(() => {
    if (!data) return undefined;
    const rows = bucketRows(data.series.rows, RANGES.find((r) => r.id === range) ?? RANGES[1]!, Date.now());
    const x = rows.map((r) => Date.parse(r.key ?? "") / 1000);
    const traffic: Series[] = [
      { label: t("overview.requests"), values: rows.map((r) => r.requests), color: "#4f46e5" },
      { label: t("overview.errors"), values: rows.map((r) => r.errors), color: "#c2262e" },
    ];
    const tokens: Series[] = [
      { label: t("overview.promptTokens"), values: rows.map((r) => r.prompt_tokens), color: "#0891b2" },
      { label: t("overview.completionTokens"), values: rows.map((r) => r.completion_tokens), color: "#7c3aed" },
    ];
    const cost: Series[] = [{ label: t("usage.cost"), values: rows.map((r) => r.cost_usd ?? 0), color: "#15803d" }];
    const latency: Series[] = [
      { label: TERMS.p50, values: rows.map((r) => r.latency_p50_ms), color: "#4f46e5" },
      { label: TERMS.p95, values: rows.map((r) => r.latency_p95_ms), color: "#e39a2a" },
      { label: `${TERMS.ttft} ${TERMS.p50}`, values: rows.map((r) => r.ttft_p50_ms), color: "#0891b2" },
    ];
    return { x, traffic, tokens, cost, latency };
  }, [data, t, range]);

  const totals = data?.series.totals;
  const ledgerMissing = error instanceof ApiError && error.status === 404;
  const keyName = (id: string | null) =>
    keys.find((k) => String(k.id) === id)?.name ?? (id === null || id === "unknown" ? t("overview.noKey") : `#${id}`);

  return (
    <>
      <PageHead
        title={t("overview.title")}
        subtitle={t("overview.subtitle")}
        actions={
          <fieldset className="segmented">
            <legend className="sr-only">{t("overview.range")}</legend>
            {RANGES.map((r) => (
              <button key={r.id} type="button" aria-pressed={range === r.id} onClick={() => setRange(r.id)}>
                {t(r.key)}
              </button>
            ))}
          </fieldset>
        }
      />
      <div className="stack">
        {ledgerMissing ? (
          <div className="alert info" role="status">
            <strong>{t("usage.noLedger")}</strong>
            <span className="detail">{t("usage.noLedgerHint")}</span>
          </div>
        ) : (
          <ErrorAlert error={error} />
        )}
        <div className="grid grid-stats" data-testid="totals">
          <Stat
            label={t("overview.requests")}
            value={<span data-testid="total-requests">{fmtInt(locale, totals?.requests)}</span>}
            sub={totals ? t("overview.errorsN", { n: fmtInt(locale, totals.errors) }) : undefined}
          />
          <Stat
            label={t("overview.errorRate")}
            value={fmtPct(locale, totals ? (totals.requests ? totals.errors / totals.requests : 0) : null)}
          />
          <Stat
            label={t("usage.tokens")}
            value={
              <span data-testid="total-tokens">{fmtInt(locale, totals ? totals.prompt_tokens + totals.completion_tokens : null)}</span>
            }
            sub={
              totals
                ? t("overview.tokenSplit", { p: fmtInt(locale, totals.prompt_tokens), c: fmtInt(locale, totals.completion_tokens) })
                : undefined
            }
          />
          <Stat label={t("usage.cost")} value={<span data-testid="total-cost">{fmtUsd(locale, totals?.cost_usd ?? null)}</span>} />
          <Stat label={t("overview.latency")} value={fmtMs(totals?.latency_p50_ms)} sub={`${TERMS.p95} ${fmtMs(totals?.latency_p95_ms)}`} />
          <Stat label={t("overview.ttft")} value={fmtMs(totals?.ttft_p50_ms)} />
        </div>
        {charts && charts.x.length > 0 ? (
          <div className="grid grid-2">
            <Card title={t("overview.traffic")}>
              <TimeChart x={charts.x} series={charts.traffic} label={t("overview.traffic")} />
            </Card>
            <Card title={t("overview.tokens")}>
              <TimeChart x={charts.x} series={charts.tokens} label={t("overview.tokens")} />
            </Card>
            <Card title={t("overview.cost")}>
              <TimeChart
                x={charts.x}
                series={charts.cost}
                label={t("overview.cost")}
                format={(v) => `$${v === 0 ? "0" : v.toFixed(v < 0.01 ? 4 : v < 1 ? 3 : 2)}`}
              />
            </Card>
            <Card title={t("overview.latencyChart")}>
              <TimeChart x={charts.x} series={charts.latency} label={t("overview.latencyChart")} format={(v) => fmtMs(v)} />
            </Card>
          </div>
        ) : (
          data && (
            <Card>
              <Empty
                title={t("overview.noTraffic")}
                hint={t("overview.noTrafficHint")}
                action={<Link to="/playground">{t("nav.playground")} →</Link>}
              />
            </Card>
          )
        )}
        <div className="grid grid-3">
          <GroupTable title={t("overview.byModel")} rows={data?.byModel.rows ?? []} />
          <GroupTable title={t("overview.byProvider")} rows={data?.byProvider.rows ?? []} />
          <GroupTable title={t("overview.byKey")} rows={data?.byKey.rows ?? []} label={keyName} />
        </div>
        <ProviderHealthCard health={health} />
      </div>
    </>
  );
}
