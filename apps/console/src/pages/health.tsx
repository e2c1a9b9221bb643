import { useCallback, useEffect, useState } from "react";
import { api } from "../api/client.js";
import type { HealthViewOut, TargetSnapshot } from "../api/types.js";
import { Badge, Card, Empty, ErrorAlert, Loading, PageHead } from "../components/ui.js";
import { fmtMs, fmtNum, fmtPct, fmtTime } from "../format.js";
import { useI18n } from "../i18n/index.js";

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
              <div className="card stat">
                <div className="label">{t("health.revision")}</div>
                <div className="value">{health.revision ?? "–"}</div>
              </div>
              <div className="card stat">
                <div className="label">NATS</div>
                <div className="value" style={{ fontSize: 16, marginTop: 8 }}>
                  {health.nats === "connected" ? (
                    <Badge tone="ok" dot>
                      {t("health.connected")}
                    </Badge>
                  ) : (
                    <Badge tone="bad" dot>
                      {t("health.disconnected")}
                    </Badge>
                  )}
                </div>
              </div>
              <div className="card stat">
                <div className="label">{t("health.replicas")}</div>
                <div className="value">{health.replicas.length}</div>
              </div>
            </div>
            <Card title={t("health.probes")}>
              {health.probes.length === 0 ? (
                <Empty title={t("health.noProbes")} hint={t("health.noProbesHint")} />
              ) : (
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th>{t("usage.provider")}</th>
                        <th>{t("common.status")}</th>
                        <th className="num">{t("health.probeLatency")}</th>
                        <th className="num">{t("health.failuresInRow")}</th>
                        <th>{t("health.checked")}</th>
                        <th>{t("health.error")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {health.probes.map((p) => (
                        <tr key={p.provider}>
                          <td>
                            <strong>{p.provider}</strong>
                          </td>
                          <td>
                            {p.ok ? (
                              <Badge tone="ok" dot>
                                {t("health.up")}
                              </Badge>
                            ) : (
                              <Badge tone="bad" dot>
                                {t("health.down")}
                              </Badge>
                            )}{" "}
                            {p.status !== null && <span className="small muted">HTTP {p.status}</span>}
                          </td>
                          <td className="num">{fmtMs(p.latency_ms)}</td>
                          <td className="num">{p.consecutive_failures}</td>
                          <td className="small nowrap">{fmtTime(locale, p.checked_at)}</td>
                          <td className="small">{p.error ?? "–"}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
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
                  {r.targets.length === 0 ? (
                    <Empty title={t("health.noTargets")} hint={t("models.noLinksHint")} />
                  ) : (
                    <div className="table-wrap">
                      <table>
                        <thead>
                          <tr>
                            <th>{t("usage.model")}</th>
                            <th>{t("usage.provider")}</th>
                            <th>{t("health.breaker")}</th>
                            <th className="num">{t("health.requests")}</th>
                            <th className="num">{t("health.successRate")}</th>
                            <th className="num">{t("usage.latency")}</th>
                            <th className="num">TTFT</th>
                            <th className="num">{t("usage.tokensPerS")}</th>
                            <th className="num">{t("health.inFlight")}</th>
                          </tr>
                        </thead>
                        <tbody>
                          {r.targets.map((x) => (
                            <tr key={`${x.model}/${x.provider}`}>
                              <td>{x.model}</td>
                              <td>
                                {x.provider} <span className="small muted mono">{x.upstream_model}</span>
                              </td>
                              <td>
                                <BreakerBadge target={x} />
                              </td>
                              <td className="num">{x.requests}</td>
                              <td className="num">{x.requests > 0 ? fmtPct(locale, x.success_rate) : "–"}</td>
                              <td className="num">{fmtMs(x.latency_ms)}</td>
                              <td className="num">{fmtMs(x.ttft_ms)}</td>
                              <td className="num">{fmtNum(locale, x.tokens_per_s)}</td>
                              <td className="num">{x.in_flight}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                </Card>
              ))
            )}
          </>
        )}
      </div>
    </>
  );
}
