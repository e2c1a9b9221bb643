import { useEffect } from "react";
import { api } from "../api/client.js";
import { type AdminBatch, downloadFile, isoOf, useAdminList } from "../api/offline.js";
import { DataTable } from "../components/data-table.js";
import { Empty } from "../components/empty-state.js";
import { ErrorAlert } from "../components/error-alert.js";
import { Identifier } from "../components/identifier.js";
import { Card, ConfirmButton, PageHead } from "../components/ui.js";
import { fmtInt, fmtTime } from "../format.js";
import { useI18n } from "../i18n/index.js";
import { OfflineStatus, useAction } from "./offline-status.js";

const FINAL = new Set(["completed", "failed", "expired", "cancelled"]);

/** The batch's progress from `request_counts`: a bar and "done of total (failed)". */
function Progress(props: { b: AdminBatch }) {
  const { t, locale } = useI18n();
  const { total, completed, failed } = props.b.request_counts;
  const done = completed + failed;
  const label = t("batches.progressOf", { done: fmtInt(locale, done), total: fmtInt(locale, total), failed: fmtInt(locale, failed) });
  return (
    <div className="stack" style={{ gap: 2, minWidth: 110 }}>
      <progress value={done} max={Math.max(total, done, 1)} aria-label={label} />
      <span className="small muted">{label}</span>
    </div>
  );
}

/** Every key's batches: status, progress, owner, endpoint, times, result files, cancel. Refreshed while any runs. */
export function BatchesPage() {
  const { t, locale } = useI18n();
  const { data, error, reload } = useAdminList<AdminBatch>("/v1/admin/batches", { limit: 100 });
  const { error: actionError, run } = useAction();
  const running = data?.some((b) => !FINAL.has(b.status)) ?? false;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void reload(), 3000);
    return () => clearInterval(timer);
  }, [running, reload]);
  const finished = (b: AdminBatch) => b.completed_at ?? b.failed_at ?? b.cancelled_at ?? b.expired_at;
  const fileButton = (id: string | null, label: string, name: string) =>
    id ? (
      <button type="button" className="small" onClick={() => run(() => downloadFile(id, name))}>
        {label}
      </button>
    ) : null;
  return (
    <>
      <PageHead
        title={t("batches.title")}
        subtitle={t("batches.subtitle")}
        actions={
          <button type="button" onClick={() => void reload()}>
            {t("offline.refresh")}
          </button>
        }
      />
      <div className="stack">
        <ErrorAlert error={error ?? actionError} />
        <Card>
          <DataTable
            rows={data}
            error={error}
            rowKey={(b) => b.id}
            rowProps={(b) => ({ "data-batch-id": b.id })}
            empty={<Empty title={t("batches.empty")} hint={t("batches.emptyHint")} />}
            columns={[
              {
                header: t("batches.batch"),
                cell: (b) => (
                  <>
                    <Identifier className="mono small" text={b.id} />
                    <Identifier className="mono small muted" text={b.endpoint} />
                  </>
                ),
              },
              { header: t("common.status"), cell: (b) => <OfflineStatus kind="batches" status={b.status} /> },
              { header: t("batches.progress"), cell: (b) => <Progress b={b} /> },
              { header: t("offline.owner"), cell: (b) => (b.owner ? <Identifier text={b.owner} /> : t("offline.noOwner")) },
              {
                header: `${t("offline.created")} / ${t("batches.finished")}`,
                className: "nowrap small",
                cell: (b) => (
                  <>
                    <div>{fmtTime(locale, isoOf(b.created_at))}</div>
                    <div className="muted">{fmtTime(locale, isoOf(finished(b)))}</div>
                  </>
                ),
              },
              {
                header: t("common.actions"),
                hiddenHeader: true,
                cell: (b) => (
                  <div className="row" style={{ flexWrap: "nowrap" }}>
                    {fileButton(b.output_file_id, t("batches.output"), `${b.id}_output.jsonl`)}
                    {fileButton(b.error_file_id, t("batches.errors"), `${b.id}_errors.jsonl`)}
                    {!FINAL.has(b.status) && b.status !== "finalizing" && b.status !== "cancelling" && (
                      <ConfirmButton
                        label={t("batches.cancel")}
                        confirm={t("batches.cancelConfirm")}
                        onConfirm={() =>
                          run(async () => {
                            await api("POST", `/v1/admin/batches/${encodeURIComponent(b.id)}/cancel`);
                            await reload();
                          })
                        }
                      />
                    )}
                  </div>
                ),
              },
            ]}
          />
        </Card>
      </div>
    </>
  );
}
