import { useState } from "react";
import { api } from "../api/client.js";
import { type AdminFile, downloadFile, fmtBytes, isoOf, useAdminList } from "../api/offline.js";
import { DataTable } from "../components/data-table.js";
import { Empty } from "../components/empty-state.js";
import { ErrorAlert } from "../components/error-alert.js";
import { FilterBar } from "../components/filter-bar.js";
import { SelectField } from "../components/form-field.js";
import { Identifier } from "../components/identifier.js";
import { Card, ConfirmButton, PageHead } from "../components/ui.js";
import { fmtTime } from "../format.js";
import { useI18n } from "../i18n/index.js";
import { useAction } from "./offline-status.js";

/** OpenAI's file purposes (the filter's choices). */
const PURPOSES = ["batch", "batch_output", "fine-tune", "fine-tune-results", "assistants", "user_data", "vision", "evals"];

/** Every key's files: purpose filter, size, owner key, download, delete. */
export function FilesPage() {
  const { t, locale } = useI18n();
  const [purpose, setPurpose] = useState("");
  const [applied, setApplied] = useState("");
  const { data, error, reload } = useAdminList<AdminFile>("/v1/admin/files", { purpose: applied || undefined, limit: 1000 });
  const { error: actionError, run: act } = useAction();
  return (
    <>
      <PageHead title={t("files.title")} subtitle={t("files.subtitle")} />
      <div className="stack">
        <ErrorAlert error={error ?? actionError} />
        <Card>
          <FilterBar onApply={() => setApplied(purpose)}>
            <SelectField label={t("files.purpose")} value={purpose} onChange={setPurpose} none={t("files.anyPurpose")} options={PURPOSES} />
          </FilterBar>
        </Card>
        <Card>
          <DataTable
            rows={data}
            error={error}
            rowKey={(f) => f.id}
            rowProps={(f) => ({ "data-file-id": f.id })}
            empty={<Empty title={t("files.empty")} hint={t("files.emptyHint")} />}
            columns={[
              {
                header: t("files.name"),
                cell: (f) => (
                  <>
                    <Identifier text={f.filename} />
                    <Identifier className="mono small muted" text={f.id} />
                  </>
                ),
              },
              { header: t("files.purpose"), className: "mono small", cell: (f) => <Identifier text={f.purpose} /> },
              { header: t("files.size"), num: true, cell: (f) => fmtBytes(locale, f.bytes) },
              { header: t("offline.owner"), cell: (f) => (f.owner ? <Identifier text={f.owner} /> : t("offline.noOwner")) },
              { header: t("offline.created"), className: "nowrap small", cell: (f) => fmtTime(locale, isoOf(f.created_at)) },
              {
                header: t("common.actions"),
                hiddenHeader: true,
                cell: (f) => (
                  <div className="row">
                    <button type="button" className="small" onClick={() => act(() => downloadFile(f.id, f.filename))}>
                      {t("offline.download")}
                    </button>
                    <ConfirmButton
                      label={t("common.delete")}
                      confirm={t("files.deleteConfirm")}
                      onConfirm={() =>
                        act(async () => {
                          await api("DELETE", `/v1/admin/files/${encodeURIComponent(f.id)}`);
                          await reload();
                        })
                      }
                    />
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
