import type { UsageRecord } from "../api/types.js";
import { DataTable } from "../components/data-table.js";
import { Modal } from "../components/dialog.js";
import { Badge } from "../components/ui.js";
import { fmtInt, fmtMs, fmtNum, fmtTime, fmtUsd } from "../format.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/index.js";
import { TERMS } from "../i18n/terms.js";

const OUTCOMES: Record<string, MessageKey> = {
  served: "outcome.served",
  retry: "outcome.retry",
  final: "outcome.final",
  broken: "outcome.broken",
};

export function StatusBadge(props: { status: number }) {
  const tone = props.status < 300 ? "ok" : props.status < 500 ? "warn" : "bad";
  return <Badge tone={tone}>{props.status}</Badge>;
}

/** One request: what was asked, who served it, what it cost, and each attempt of its failover chain. */
export function UsageDetail(props: { record: UsageRecord; onClose(): void }) {
  const { t, locale } = useI18n();
  const r = props.record;
  return (
    <Modal title={t("usage.detail")} onClose={props.onClose}>
      <dl className="kv">
        <dt>{t("usage.requestId")}</dt>
        <dd className="mono">{r.id}</dd>
        <dt>{t("usage.clientRequestId")}</dt>
        <dd className="mono">{r.client_request_id ?? "–"}</dd>
        <dt>{t("usage.time")}</dt>
        <dd>{fmtTime(locale, r.time)}</dd>
        <dt>{t("usage.endpoint")}</dt>
        <dd className="mono">
          {r.endpoint} ({r.ingress}){r.stream ? ` · ${t("usage.stream")}` : ""}
        </dd>
        <dt>{t("usage.model")}</dt>
        <dd>
          {r.model ?? "–"}
          {r.upstream_model && r.upstream_model !== r.model ? ` → ${r.upstream_model}` : ""}
        </dd>
        <dt>{t("usage.provider")}</dt>
        <dd>{r.provider ?? "–"}</dd>
        <dt>{t("usage.key")}</dt>
        <dd>{r.key_name ?? "–"}</dd>
        <dt>{t("usage.status")}</dt>
        <dd>
          <StatusBadge status={r.status} /> {r.error_code && <code>{r.error_code}</code>}
        </dd>
        <dt>{t("usage.tokens")}</dt>
        <dd>
          {t("usage.tokenBreakdown", {
            prompt: fmtInt(locale, r.prompt_tokens),
            completion: fmtInt(locale, r.completion_tokens),
            cached: fmtInt(locale, r.cached_tokens),
            reasoning: fmtInt(locale, r.reasoning_tokens),
          })}
          {r.usage_estimated && <div className="small muted">{t("usage.estimated")}</div>}
        </dd>
        <dt>{t("usage.cost")}</dt>
        <dd>{r.cost_usd === null ? t("usage.noPrice") : fmtUsd(locale, r.cost_usd)}</dd>
        <dt>{t("usage.latency")}</dt>
        <dd>
          {fmtMs(r.latency_ms)} · {TERMS.ttft} {fmtMs(r.ttft_ms)} · {fmtNum(locale, r.tokens_per_s)} {t("usage.tokensPerS")}
        </dd>
        <dt>{t("usage.replica")}</dt>
        <dd className="mono small">{r.replica}</dd>
      </dl>
      <h3>{t("usage.chain")}</h3>
      <DataTable
        rows={r.attempts}
        rowKey={(_, i) => i}
        columns={[
          { header: "#", cell: (_, i) => i + 1 },
          {
            header: t("usage.provider"),
            cell: (a) => (
              <>
                {a.provider}
                {a.upstream_model ? <span className="small muted"> · {a.upstream_model}</span> : null}
              </>
            ),
          },
          {
            header: t("usage.outcome"),
            cell: (a) => (
              <>
                <Badge tone={a.outcome === "served" ? "ok" : a.outcome === "retry" ? "warn" : "bad"}>
                  {OUTCOMES[a.outcome] ? t(OUTCOMES[a.outcome] as MessageKey) : a.outcome}
                </Badge>
                {a.error_code && <code className="small"> {a.error_code}</code>}
              </>
            ),
          },
          { header: t("usage.status"), cell: (a) => a.status ?? "–" },
          { header: t("usage.latency"), num: true, cell: (a) => fmtMs(a.latency_ms) },
        ]}
      />
    </Modal>
  );
}
