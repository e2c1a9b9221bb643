import { useCallback, useEffect, useState } from "react";
import { ApiError, api } from "../api/client.js";
import type { ClientKeyOut, ModelOut, ProviderOut, UsagePage as UsagePageData, UsageRecord } from "../api/types.js";
import { Badge, Card, Empty, ErrorAlert, Field, Loading, Modal, PageHead } from "../components/ui.js";
import { fmtInt, fmtMs, fmtNum, fmtTime, fmtUsd } from "../format.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/index.js";

const OUTCOMES: Record<string, MessageKey> = {
  served: "outcome.served",
  retry: "outcome.retry",
  final: "outcome.final",
  broken: "outcome.broken",
};

const PAGE = 50;
const toLocal = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export interface UsageFilterValues {
  from: string;
  to: string;
  model: string;
  provider: string;
  key_id: string;
  status: string;
  client_request_id: string;
}
export const filterQuery = (f: UsageFilterValues) => ({
  from: f.from ? new Date(f.from).toISOString() : undefined,
  to: f.to ? new Date(f.to).toISOString() : undefined,
  model: f.model,
  provider: f.provider,
  key_id: f.key_id,
  status: f.status,
  client_request_id: f.client_request_id.trim(),
});

export function StatusBadge(props: { status: number }) {
  const tone = props.status < 300 ? "ok" : props.status < 500 ? "warn" : "bad";
  return <Badge tone={tone}>{props.status}</Badge>;
}

export function UsagePage() {
  const { t, locale } = useI18n();
  const [filters, setFilters] = useState<UsageFilterValues>(() => ({
    from: toLocal(new Date(Date.now() - 24 * 3600_000)),
    to: "",
    model: "",
    provider: "",
    key_id: "",
    status: "",
    client_request_id: "",
  }));
  const [applied, setApplied] = useState(filters);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<UsagePageData>();
  const [error, setError] = useState<unknown>();
  const [detail, setDetail] = useState<UsageRecord>();
  const [lists, setLists] = useState<{ models: ModelOut[]; providers: ProviderOut[]; keys: ClientKeyOut[] }>({
    models: [],
    providers: [],
    keys: [],
  });

  useEffect(() => {
    void Promise.all([
      api<{ models: ModelOut[] }>("GET", "/v1/db/models"),
      api<{ providers: ProviderOut[] }>("GET", "/v1/db/providers"),
      api<{ keys: ClientKeyOut[] }>("GET", "/v1/db/keys"),
    ]).then(
      ([m, p, k]) => setLists({ models: m.models, providers: p.providers, keys: k.keys }),
      () => {},
    );
  }, []);

  const cursor = cursors[cursors.length - 1];
  const load = useCallback(async () => {
    setPage(undefined);
    try {
      setPage(await api<UsagePageData>("GET", "/v1/db/usage", { query: { ...filterQuery(applied), limit: PAGE, cursor } }));
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, [applied, cursor]);
  useEffect(() => {
    void load();
  }, [load]);

  const exportCsv = async () => {
    try {
      const csv = await api<string>("GET", "/v1/db/usage", { query: { ...filterQuery(applied), limit: 1000 }, accept: "text/csv" });
      const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `usage-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.csv`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (err) {
      setError(err);
    }
  };
  const set = (k: keyof UsageFilterValues) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setFilters({ ...filters, [k]: e.target.value });
  const ledgerMissing = error instanceof ApiError && error.status === 404;

  return (
    <>
      <PageHead
        title={t("usage.title")}
        subtitle={t("usage.subtitle")}
        actions={
          <button type="button" onClick={exportCsv} disabled={ledgerMissing}>
            ⇩ {t("usage.export")}
          </button>
        }
      />
      <div className="stack">
        <Card>
          <form
            className="grid"
            style={{ gridTemplateColumns: "repeat(auto-fit, minmax(150px, 1fr))", alignItems: "end" }}
            onSubmit={(e) => {
              e.preventDefault();
              setCursors([undefined]);
              setApplied(filters);
            }}
          >
            <Field label={t("usage.from")} type="datetime-local" value={filters.from} onChange={set("from")} />
            <Field label={t("usage.to")} type="datetime-local" value={filters.to} onChange={set("to")} />
            <Field label={t("usage.model")}>
              {(id) => (
                <select id={id} value={filters.model} onChange={set("model")}>
                  <option value="">{t("usage.any")}</option>
                  {lists.models.map((m) => (
                    <option key={m.id}>{m.name}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t("usage.provider")}>
              {(id) => (
                <select id={id} value={filters.provider} onChange={set("provider")}>
                  <option value="">{t("usage.any")}</option>
                  {lists.providers.map((p) => (
                    <option key={p.id}>{p.name}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t("usage.key")}>
              {(id) => (
                <select id={id} value={filters.key_id} onChange={set("key_id")}>
                  <option value="">{t("usage.any")}</option>
                  {lists.keys.map((k) => (
                    <option key={k.id} value={String(k.id)}>
                      {k.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t("usage.status")}>
              {(id) => (
                <select id={id} value={filters.status} onChange={set("status")}>
                  <option value="">{t("usage.any")}</option>
                  <option value="2xx">{t("usage.ok")}</option>
                  <option value="error">{t("usage.errors")}</option>
                  <option value="4xx">4xx</option>
                  <option value="429">429</option>
                  <option value="5xx">5xx</option>
                </select>
              )}
            </Field>
            <Field
              label={t("usage.clientRequestId")}
              value={filters.client_request_id}
              maxLength={128}
              onChange={set("client_request_id")}
            />
            <button type="submit" className="primary">
              {t("usage.apply")}
            </button>
          </form>
        </Card>
        {ledgerMissing ? (
          <Card>
            <Empty title={t("usage.noLedger")} hint={t("usage.noLedgerHint")} />
          </Card>
        ) : (
          <ErrorAlert error={error} />
        )}
        {!ledgerMissing && (
          <Card>
            {!page ? (
              error ? null : (
                <Loading />
              )
            ) : page.data.length === 0 ? (
              <Empty title={t("usage.empty")} hint={t("usage.emptyHint")} />
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>{t("usage.time")}</th>
                      <th>{t("usage.model")}</th>
                      <th>{t("usage.provider")}</th>
                      <th>{t("usage.key")}</th>
                      <th>{t("usage.status")}</th>
                      <th className="num">{t("usage.tokens")}</th>
                      <th className="num">{t("usage.cost")}</th>
                      <th className="num">{t("usage.latency")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((r) => (
                      <tr
                        key={r.id}
                        className="clickable"
                        tabIndex={0}
                        data-request-id={r.id}
                        onClick={() => setDetail(r)}
                        onKeyDown={(e) => e.key === "Enter" && setDetail(r)}
                      >
                        <td className="nowrap small">{fmtTime(locale, r.time)}</td>
                        <td>{r.model ?? "–"}</td>
                        <td>
                          {r.provider ?? "–"}
                          {r.attempts.length > 1 && (
                            <span className="small muted"> · {t("usage.attemptsN", { n: r.attempts.length })}</span>
                          )}
                        </td>
                        <td>{r.key_name ?? "–"}</td>
                        <td>
                          <StatusBadge status={r.status} />
                        </td>
                        <td className="num">
                          {fmtInt(locale, (r.prompt_tokens ?? 0) + (r.completion_tokens ?? 0))}
                          {r.usage_estimated && <span title={t("usage.estimated")}>*</span>}
                        </td>
                        <td className="num">{fmtUsd(locale, r.cost_usd)}</td>
                        <td className="num">{fmtMs(r.latency_ms)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <div className="row" style={{ marginTop: 12, justifyContent: "flex-end" }}>
              <span className="small muted grow">{t("usage.page", { n: cursors.length })}</span>
              <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                ← {t("usage.newer")}
              </button>
              <button
                type="button"
                disabled={!page?.next_cursor}
                onClick={() => page?.next_cursor && setCursors([...cursors, page.next_cursor])}
              >
                {t("usage.older")} →
              </button>
            </div>
          </Card>
        )}
      </div>
      {detail && <UsageDetail record={detail} onClose={() => setDetail(undefined)} />}
    </>
  );
}

function UsageDetail(props: { record: UsageRecord; onClose(): void }) {
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
          {fmtMs(r.latency_ms)} · TTFT {fmtMs(r.ttft_ms)} · {fmtNum(locale, r.tokens_per_s)} {t("usage.tokensPerS")}
        </dd>
        <dt>{t("usage.replica")}</dt>
        <dd className="mono small">{r.replica}</dd>
      </dl>
      <h3>{t("usage.chain")}</h3>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>{t("usage.provider")}</th>
              <th>{t("usage.outcome")}</th>
              <th>{t("usage.status")}</th>
              <th className="num">{t("usage.latency")}</th>
            </tr>
          </thead>
          <tbody>
            {r.attempts.map((a, i) => (
              <tr key={i}>
                <td>{i + 1}</td>
                <td>
                  {a.provider}
                  {a.upstream_model ? <span className="small muted"> · {a.upstream_model}</span> : null}
                </td>
                <td>
                  <Badge tone={a.outcome === "served" ? "ok" : a.outcome === "retry" ? "warn" : "bad"}>
                    {OUTCOMES[a.outcome] ? t(OUTCOMES[a.outcome] as MessageKey) : a.outcome}
                  </Badge>
                  {a.error_code && <code className="small"> {a.error_code}</code>}
                </td>
                <td>{a.status ?? "–"}</td>
                <td className="num">{fmtMs(a.latency_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Modal>
  );
}
