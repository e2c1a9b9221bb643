import { useCallback, useEffect, useState } from "react";
import { ApiError, api } from "../api/client.js";
import type { ClientKeyOut, ModelOut, ProviderOut, UsagePage as UsagePageData, UsageRecord } from "../api/types.js";
import { DataTable } from "../components/data-table.js";
import { Empty } from "../components/empty-state.js";
import { ErrorAlert } from "../components/error-alert.js";
import { FilterBar } from "../components/filter-bar.js";
import { Field, SelectField } from "../components/form-field.js";
import { Card, PageHead } from "../components/ui.js";
import { fmtInt, fmtMs, fmtTime, fmtUsd } from "../format.js";
import { useI18n } from "../i18n/index.js";
import { StatusBadge, UsageDetail } from "./usage-detail.js";

const PAGE = 50;
/** Status classes offered as filters beside "succeeded" and "failed" (shown as they are). */
const STATUS_CLASSES = ["4xx", "429", "5xx"];
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
  const set = (k: keyof UsageFilterValues) => (value: string) => setFilters({ ...filters, [k]: value });
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
          <FilterBar
            onApply={() => {
              setCursors([undefined]);
              setApplied(filters);
            }}
          >
            <Field label={t("usage.from")} type="datetime-local" value={filters.from} onChange={(e) => set("from")(e.target.value)} />
            <Field label={t("usage.to")} type="datetime-local" value={filters.to} onChange={(e) => set("to")(e.target.value)} />
            <SelectField
              label={t("usage.model")}
              value={filters.model}
              onChange={set("model")}
              none={t("usage.any")}
              options={lists.models.map((m) => m.name)}
            />
            <SelectField
              label={t("usage.provider")}
              value={filters.provider}
              onChange={set("provider")}
              none={t("usage.any")}
              options={lists.providers.map((p) => p.name)}
            />
            <SelectField
              label={t("usage.key")}
              value={filters.key_id}
              onChange={set("key_id")}
              none={t("usage.any")}
              options={lists.keys.map((k) => ({ value: String(k.id), label: k.name }))}
            />
            <SelectField
              label={t("usage.status")}
              value={filters.status}
              onChange={set("status")}
              none={t("usage.any")}
              options={[{ value: "2xx", label: t("usage.ok") }, { value: "error", label: t("usage.errors") }, ...STATUS_CLASSES]}
            />
            <Field
              label={t("usage.clientRequestId")}
              value={filters.client_request_id}
              maxLength={128}
              onChange={(e) => set("client_request_id")(e.target.value)}
            />
          </FilterBar>
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
            <DataTable
              rows={page?.data}
              error={error}
              rowKey={(r) => r.id}
              onRowClick={(r) => setDetail(r)}
              keyboardRows
              rowProps={(r) => ({ "data-request-id": r.id })}
              empty={<Empty title={t("usage.empty")} hint={t("usage.emptyHint")} />}
              columns={[
                { header: t("usage.time"), className: "nowrap small", cell: (r) => fmtTime(locale, r.time) },
                { header: t("usage.model"), cell: (r) => r.model ?? "–" },
                {
                  header: t("usage.provider"),
                  cell: (r) => (
                    <>
                      {r.provider ?? "–"}
                      {r.attempts.length > 1 && <span className="small muted"> · {t("usage.attemptsN", { n: r.attempts.length })}</span>}
                    </>
                  ),
                },
                { header: t("usage.key"), cell: (r) => r.key_name ?? "–" },
                { header: t("usage.status"), cell: (r) => <StatusBadge status={r.status} /> },
                {
                  header: t("usage.tokens"),
                  num: true,
                  cell: (r) => (
                    <>
                      {fmtInt(locale, (r.prompt_tokens ?? 0) + (r.completion_tokens ?? 0))}
                      {r.usage_estimated && <span title={t("usage.estimated")}>*</span>}
                    </>
                  ),
                },
                { header: t("usage.cost"), num: true, cell: (r) => fmtUsd(locale, r.cost_usd) },
                { header: t("usage.latency"), num: true, cell: (r) => fmtMs(r.latency_ms) },
              ]}
            />
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
