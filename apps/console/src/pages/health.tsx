import { useCallback, useEffect, useState } from "react";
import { api } from "../api/client.js";
import type { HealthViewOut, TargetSnapshot } from "../api/types.js";
import { DataTable } from "../components/data-table.js";
import { Empty, Loading } from "../components/empty-state.js";
import { ErrorAlert } from "../components/error-alert.js";
import { Badge, Card, PageHead, Stat } from "../components/ui.js";
import { fmtMs, fmtNum, fmtPct, fmtTime } from "../format.js";
import { useI18n } from "../i18n/index.js";
import { TERMS } from "../i18n/terms.js";

/** Live health, refreshed every 5 s (the proxies report every 5 s). */
export function useHealth(everyMs = 5_000) {
  const [health, setHealth] = useState<HealthViewOut>();
  const [error, setError] = useState<unknown>();
  const load = useCallback(async () => {
    try {
      setHealth(await api<HealthViewOut>("GET", "/v1/db/health"));
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void load();
    const timer = setInterval(load, everyMs);
    return () => clearInterval(timer);
  }, [load, everyMs]);
  return { health, error, reload: load };
}

export function BreakerBadge(props: { target: Pick<TargetSnapshot, "breaker" | "available" | "probe_down"> }) {
  const { t } = useI18n();
  const s = props.target;
  if (s.probe_down)
    return (
      <Badge tone="bad" dot>
        {t("health.probeDown")}
      </Badge>
    );
  if (s.breaker === "open")
    return (
      <Badge tone="bad" dot>
        {t("health.open")}
      </Badge>
    );
  if (s.breaker === "half_open" || s.breaker === "half-open")
    return (
      <Badge tone="warn" dot>
        {t("health.halfOpen")}
      </Badge>
    );
  return (
    <Badge tone="ok" dot>
      {t("health.closed")}
    </Badge>
  );
}

export function HealthPage() {
  const { t, locale } = useI18n();
  const { health, error, reload } = useHealth();
  return (
    <>
      <PageHead
        title={t("health.title")}
        subtitle={t("health.subtitle")}
        actions={
          <button type="button" onClick={() => void reload()}>
            ↻ {t("common.refresh")}
          </button>
        }
      />
      <div className="stack">
        <ErrorAlert error={error} />
        {!health ? (
          error ? null : (
            <Loading />
          )
        ) : (
          <>
            <div className="grid grid-stats">
              <Stat label={t("health.revision")} value={health.revision ?? "–"} />
              <Stat
                label={TERMS.nats}
                badge
                value={
                  <Badge tone={health.nats === "connected" ? "ok" : "bad"} dot>
                    {health.nats === "connected" ? t("health.connected") : t("health.disconnected")}
                  </Badge>
                }
              />
              <Stat label={t("health.replicas")} value={health.replicas.length} />
            </div>
            <Card title={t("health.probes")}>
              <DataTable
                rows={health.probes}
                rowKey={(p) => p.provider}
                empty={<Empty title={t("health.noProbes")} hint={t("health.noProbesHint")} />}
                columns={[
                  { header: t("usage.provider"), cell: (p) => <strong>{p.provider}</strong> },
                  {
                    header: t("common.status"),
                    cell: (p) => (
                      <>
                        <Badge tone={p.ok ? "ok" : "bad"} dot>
                          {p.ok ? t("health.up") : t("health.down")}
                        </Badge>{" "}
                        {p.status !== null && (
                          <span className="small muted">
                            {TERMS.http} {p.status}
                          </span>
                        )}
                      </>
                    ),
                  },
                  { header: t("health.probeLatency"), num: true, cell: (p) => fmtMs(p.latency_ms) },
                  { header: t("health.failuresInRow"), num: true, cell: (p) => p.consecutive_failures },
                  { header: t("health.checked"), className: "small nowrap", cell: (p) => fmtTime(locale, p.checked_at) },
                  { header: t("health.error"), className: "small", cell: (p) => p.error ?? "–" },
                ]}
              />
            </Card>
            {health.replicas.length === 0 ? (
              <Card title={t("health.targets")}>
                <Empty title={t("health.noReplicas")} hint={t("health.noReplicasHint")} />
              </Card>
            ) : (
              health.replicas.map((r) => (
                <Card
                  key={r.replica}
                  title={`${t("health.targets")} · ${r.replica}`}
                  actions={
                    <span className="small muted">{t("health.reported", { time: fmtTime(locale, r.at), rev: r.revision ?? "–" })}</span>
                  }
                >
                  <DataTable
                    rows={r.targets}
                    rowKey={(x) => `${x.model}/${x.provider}`}
                    empty={<Empty title={t("health.noTargets")} hint={t("models.noLinksHint")} />}
                    columns={[
                      { header: t("usage.model"), cell: (x) => x.model },
                      {
                        header: t("usage.provider"),
                        cell: (x) => (
                          <>
                            {x.provider} <span className="small muted mono">{x.upstream_model}</span>
                          </>
                        ),
                      },
                      { header: t("health.breaker"), cell: (x) => <BreakerBadge target={x} /> },
                      { header: t("health.requests"), num: true, cell: (x) => x.requests },
                      { header: t("health.successRate"), num: true, cell: (x) => (x.requests > 0 ? fmtPct(locale, x.success_rate) : "–") },
                      { header: t("usage.latency"), num: true, cell: (x) => fmtMs(x.latency_ms) },
                      { header: TERMS.ttft, num: true, cell: (x) => fmtMs(x.ttft_ms) },
                      { header: t("usage.tokensPerS"), num: true, cell: (x) => fmtNum(locale, x.tokens_per_s) },
                      { header: t("health.inFlight"), num: true, cell: (x) => x.in_flight },
                    ]}
                  />
                </Card>
              ))
            )}
          </>
        )}
      </div>
    </>
  );
}
