import { useEffect, useState } from "react";
import { api } from "../api/client.js";
import { type AdminJob, isoOf, type JobEvent, useAdminList } from "../api/offline.js";
import { DataTable } from "../components/data-table.js";
import { FormDialog, Modal } from "../components/dialog.js";
import { Empty } from "../components/empty-state.js";
import { ErrorAlert } from "../components/error-alert.js";
import { Field, fieldError } from "../components/form-field.js";
import { Identifier } from "../components/identifier.js";
import { Badge, Card, ConfirmButton, PageHead } from "../components/ui.js";
import { fmtInt, fmtTime } from "../format.js";
import { useI18n } from "../i18n/index.js";
import { OfflineStatus, useAction } from "./offline-status.js";

const FINAL = new Set(["succeeded", "failed", "cancelled"]);

/** A job's events (read from its provider through the router), newest first, in a dialog. */
function EventsDialog(props: { job: AdminJob; onClose(): void }) {
  const { t, locale } = useI18n();
  const [events, setEvents] = useState<JobEvent[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api<{ data: JobEvent[] }>("GET", `/v1/admin/fine_tuning/jobs/${encodeURIComponent(props.job.id)}/events`)
      .then((r) => setEvents(r.data))
      .catch(setError);
  }, [props.job.id]);
  return (
    <Modal title={t("ft.eventsOf", { job: props.job.id })} onClose={props.onClose}>
      <ErrorAlert error={error} />
      <DataTable
        rows={events}
        error={error}
        rowKey={(e) => e.id}
        empty={<Empty title={t("ft.noEvents")} />}
        columns={[
          { header: t("offline.created"), className: "nowrap small", cell: (e) => fmtTime(locale, isoOf(e.created_at)) },
          {
            header: t("ft.level"),
            cell: (e) => <Badge tone={e.level === "error" ? "bad" : e.level === "warn" ? "warn" : "brand"}>{e.level}</Badge>,
          },
          { header: t("ft.message"), cell: (e) => e.message },
        ]}
      />
    </Modal>
  );
}

/** Sharing a fine-tuned model with other client keys by name (`[]`: the owner only). */
function ShareDialog(props: { job: AdminJob; onClose(): void; onSaved(): Promise<void> }) {
  const { t } = useI18n();
  const model = props.job.fine_tuned_model as string;
  const [keys, setKeys] = useState((props.job.shared_with_names ?? []).join(", "));
  return (
    <FormDialog
      title={t("ft.shareOf", { model })}
      submitLabel={t("ft.shareSave")}
      onClose={props.onClose}
      onSubmit={async () => {
        const names = [
          ...new Set(
            keys
              .split(/[,，\n]/)
              .map((k) => k.trim())
              .filter(Boolean),
          ),
        ];
        await api("PUT", `/v1/admin/fine_tuning/models/${encodeURIComponent(model)}/shared_with`, { body: { keys: names } });
        await props.onSaved();
        props.onClose();
      }}
    >
      {(error) => (
        <Field
          label={t("ft.shareKeys")}
          hint={t("ft.shareHint")}
          error={fieldError(error, "keys")}
          value={keys}
          onChange={(e) => setKeys(e.target.value)}
        />
      )}
    </FormDialog>
  );
}

/** Every key's fine-tuning jobs: status, model, fine-tuned model (and whom it is shared with), trained tokens, events, cancel. */
export function FineTuningPage() {
  const { t, locale } = useI18n();
  const { data, error, reload } = useAdminList<AdminJob>("/v1/admin/fine_tuning/jobs");
  const { error: actionError, run } = useAction();
  const [open, setOpen] = useState<AdminJob>();
  const [sharing, setSharing] = useState<AdminJob>();
  return (
    <>
      <PageHead
        title={t("ft.title")}
        subtitle={t("ft.subtitle")}
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
            rowKey={(j) => j.id}
            rowProps={(j) => ({ "data-job-id": j.id })}
            empty={<Empty title={t("ft.empty")} hint={t("ft.emptyHint")} />}
            columns={[
              {
                header: `${t("ft.job")} / ${t("ft.model")}`,
                cell: (j) => (
                  <>
                    <Identifier className="mono small" text={j.id} />
                    <Identifier className="mono small muted" text={j.model} />
                  </>
                ),
              },
              { header: t("common.status"), cell: (j) => <OfflineStatus kind="ft" status={j.status} /> },
              {
                header: t("ft.fineTuned"),
                className: "mono small",
                cell: (j) => (
                  <>
                    <div>{j.fine_tuned_model ? <Identifier text={j.fine_tuned_model} /> : "–"}</div>
                    {(j.shared_with_names?.length ?? 0) > 0 && (
                      <div className="muted">{t("ft.sharedWith", { keys: (j.shared_with_names ?? []).join(", ") })}</div>
                    )}
                  </>
                ),
              },
              { header: t("ft.trainedTokens"), num: true, cell: (j) => fmtInt(locale, j.trained_tokens) },
              { header: t("offline.owner"), cell: (j) => (j.owner ? <Identifier text={j.owner} /> : t("offline.noOwner")) },
              {
                header: t("common.actions"),
                hiddenHeader: true,
                cell: (j) => (
                  <div className="row" style={{ flexWrap: "nowrap" }}>
                    <button type="button" className="small" onClick={() => setOpen(j)}>
                      {t("ft.events")}
                    </button>
                    {j.status === "succeeded" && j.fine_tuned_model && (
                      <button type="button" className="small" onClick={() => setSharing(j)}>
                        {t("ft.share")}
                      </button>
                    )}
                    {!FINAL.has(j.status) && (
                      <ConfirmButton
                        label={t("ft.cancel")}
                        confirm={t("ft.cancelConfirm")}
                        onConfirm={() =>
                          run(async () => {
                            await api("POST", `/v1/admin/fine_tuning/jobs/${encodeURIComponent(j.id)}/cancel`);
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
      {open && <EventsDialog job={open} onClose={() => setOpen(undefined)} />}
      {sharing && <ShareDialog job={sharing} onClose={() => setSharing(undefined)} onSaved={reload} />}
    </>
  );
}
