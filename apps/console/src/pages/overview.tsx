import { useEffect, useMemo, useState } from "react";
import { ApiError, api } from "../api/client.js";
import type { ClientKeyOut, GroupBy, SummaryRow, UsageSummary } from "../api/types.js";
import { type Series, TimeChart } from "../components/chart.js";
import { Badge, Card, Empty, ErrorAlert, PageHead, Stat } from "../components/ui.js";
import { fmtInt, fmtMs, fmtPct, fmtUsd } from "../format.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/index.js";
import { Link } from "../router.js";
import { BreakerBadge, useHealth } from "./health.js";

type Range = "hour" | "day" | "week";
const RANGES: { id: Range; key: MessageKey; ms: number; bucket: GroupBy }[] = [
  { id: "hour", key: "overview.lastHour", ms: 3600_000, bucket: "hour" },
  { id: "day", key: "overview.lastDay", ms: 24 * 3600_000, bucket: "hour" },
  { id: "week", key: "overview.lastWeek", ms: 7 * 24 * 3600_000, bucket: "day" },
];

interface Data {
  series: UsageSummary;
  byModel: UsageSummary;
  byProvider: UsageSummary;
  byKey: UsageSummary;
}

function GroupTable(props: { title: string; rows: SummaryRow[]; label?: (key: string | null) => string }) {
  const { t, locale } = useI18n();
  return (
    <Card title={props.title}>
      {props.rows.length === 0 ? (
        <Empty title={t("overview.noTraffic")} />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t("common.name")}</th>
                <th className="num">{t("overview.requests")}</th>
                <th className="num">{t("overview.errorRate")}</th>
                <th className="num">{t("usage.tokens")}</th>
                <th className="num">{t("usage.cost")}</th>
                <th className="num">p95</th>
              </tr>
            </thead>
            <tbody>
              {[...props.rows]
                .sort((a, b) => b.requests - a.requests)
                .slice(0, 8)
                .map((r) => (
                  <tr key={r.key ?? "-"}>
                    <td>{props.label ? props.label(r.key) : (r.key ?? "–")}</td>
                    <td className="num">{fmtInt(locale, r.requests)}</td>
                    <td className="num">{fmtPct(locale, r.requests ? r.errors / r.requests : 0)}</td>
                    <td className="num">{fmtInt(locale, r.prompt_tokens + r.completion_tokens)}</td>
                    <td className="num">{fmtUsd(locale, r.cost_usd)}</td>
                    <td className="num">{fmtMs(r.latency_p95_ms)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}
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
    const rows = [...data.series.rows].filter((r) => r.key).sort((a, b) => Date.parse(a.key ?? "") - Date.parse(b.key ?? ""));
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
      { label: "p50", values: rows.map((r) => r.latency_p50_ms), color: "#4f46e5" },
      { label: "p95", values: rows.map((r) => r.latency_p95_ms), color: "#e39a2a" },
      { label: "TTFT p50", values: rows.map((r) => r.ttft_p50_ms), color: "#0891b2" },
    ];
    return { x, traffic, tokens, cost, latency };
  }, [data, t]);

  const totals = data?.series.totals;
  const ledgerMissing = error instanceof ApiError && error.status === 404;
  const keyName = (id: string | null) =>
    keys.find((k) => String(k.id) === id)?.name ?? (id === null || id === "unknown" ? t("overview.noKey") : `#${id}`);

  // Provider health at a glance: a provider is down when every live replica has all its targets unavailable or its probe failed.
  const providerHealth = useMemo(() => {
    const m = new Map<
      string,
      { up: number; down: number; probeOk: boolean | null; breaker: { breaker: string; available: boolean; probe_down: boolean } }
    >();
    for (const r of health?.replicas ?? [])
      for (const x of r.targets) {
        const e = m.get(x.provider) ?? {
          up: 0,
          down: 0,
          probeOk: null,
          breaker: { breaker: "closed", available: true, probe_down: false },
        };
        if (x.available && x.breaker !== "open" && !x.probe_down) e.up++;
        else {
          e.down++;
          e.breaker = x;
        }
        m.set(x.provider, e);
      }
    for (const p of health?.probes ?? []) {
      const e = m.get(p.provider) ?? { up: 0, down: 0, probeOk: null, breaker: { breaker: "closed", available: true, probe_down: false } };
      e.probeOk = p.ok;
      m.set(p.provider, e);
    }
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [health]);

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
          <Stat label={t("overview.latency")} value={fmtMs(totals?.latency_p50_ms)} sub={`p95 ${fmtMs(totals?.latency_p95_ms)}`} />
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
              <TimeChart x={charts.x} series={charts.cost} label={t("overview.cost")} format={(v) => `$${v.toFixed(v < 1 ? 3 : 2)}`} />
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
        <Card
          title={t("overview.providerHealth")}
          actions={
            <>
              <span className="small muted">
                {t("health.revision")} <strong data-testid="revision">{health?.revision ?? "–"}</strong>
              </span>
              {health &&
                (health.nats === "connected" ? (
                  <Badge tone="ok" dot>
                    NATS
                  </Badge>
                ) : (
                  <Badge tone="bad" dot>
                    NATS
                  </Badge>
                ))}
              <Link to="/health">{t("overview.details")} →</Link>
            </>
          }
        >
          {providerHealth.length === 0 ? (
            <Empty title={t("health.noReplicas")} hint={t("health.noReplicasHint")} />
          ) : (
            <div className="row" style={{ gap: 10 }}>
              {providerHealth.map(([name, e]) => (
                <div key={name} className="card" style={{ padding: "10px 14px", boxShadow: "none" }}>
                  <div style={{ fontWeight: 600 }}>{name}</div>
                  <div className="row" style={{ gap: 6, marginTop: 4 }}>
                    {e.down === 0 && e.probeOk !== false ? (
                      <Badge tone="ok" dot>
                        {t("health.up")}
                      </Badge>
                    ) : (
                      <BreakerBadge target={e.probeOk === false ? { ...e.breaker, probe_down: true } : e.breaker} />
                    )}
                    {e.up + e.down > 0 && (
                      <span className="small muted">{t("overview.targetsUp", { up: e.up, total: e.up + e.down })}</span>
                    )}
                  </div>
                </div>
              ))}
            </div>
          )}
        </Card>
      </div>
    </>
  );
}
