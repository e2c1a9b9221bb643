import { useMemo } from "react";
import type { HealthViewOut } from "../api/types.js";
import { Empty } from "../components/empty-state.js";
import { Badge, Card } from "../components/ui.js";
import { useI18n } from "../i18n/index.js";
import { TERMS } from "../i18n/terms.js";
import { Link } from "../router.js";
import { BreakerBadge } from "./health.js";

/** Each provider up or down at a glance, from the live health the proxies and the probes report. */
export function ProviderHealthCard(props: { health: HealthViewOut | undefined }) {
  const { t } = useI18n();
  const health = props.health;
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
    <Card
      title={t("overview.providerHealth")}
      actions={
        <>
          <span className="small muted">
            {t("health.revision")} <strong data-testid="revision">{health?.revision ?? "–"}</strong>
          </span>
          {health && (
            <Badge tone={health.nats === "connected" ? "ok" : "bad"} dot>
              {TERMS.nats}
            </Badge>
          )}
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
                {e.up + e.down > 0 && <span className="small muted">{t("overview.targetsUp", { up: e.up, total: e.up + e.down })}</span>}
              </div>
            </div>
          ))}
        </div>
      )}
    </Card>
  );
}
