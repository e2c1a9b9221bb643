import { useCallback, useEffect, useState } from "react";
import { api } from "../api/client.js";
import type { AuditEntry } from "../api/types.js";
import { DataTable } from "../components/data-table.js";
import { Empty } from "../components/empty-state.js";
import { ErrorAlert } from "../components/error-alert.js";
import { SelectField } from "../components/form-field.js";
import { Badge, Card, PageHead } from "../components/ui.js";
import { fmtTime } from "../format.js";
import { en, type MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/index.js";

const ENTITIES: Record<string, MessageKey> = {
  provider: "audit.provider",
  model: "audit.model",
  client_key: "audit.clientKey",
  settings: "audit.settings",
};
const actionKey = (a: string) => `audit.do.${a}` as MessageKey;

/** Who changed what, when. The API masks secrets before they are written (keys appear as sk-...abcd). */
export function AuditPage() {
  const { t, locale } = useI18n();
  const [entity, setEntity] = useState("");
  const [entries, setEntries] = useState<AuditEntry[]>();
  const [error, setError] = useState<unknown>();
  const [open, setOpen] = useState<number>();
  const load = useCallback(async () => {
    try {
      setEntries((await api<{ entries: AuditEntry[] }>("GET", "/v1/db/audit", { query: { entity, limit: 200 } })).entries);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, [entity]);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <>
      <PageHead title={t("audit.title")} subtitle={t("audit.subtitle")} />
      <div className="stack">
        <ErrorAlert error={error} />
        <Card
          actions={
            <div style={{ width: 200 }}>
              <SelectField
                label={t("audit.entity")}
                value={entity}
                onChange={setEntity}
                none={t("usage.any")}
                options={Object.entries(ENTITIES).map(([value, k]) => ({ value, label: t(k) }))}
              />
            </div>
          }
        >
          <DataTable
            rows={entries}
            error={error}
            rowKey={(e) => e.id}
            onRowClick={(e) => setOpen(open === e.id ? undefined : e.id)}
            keyboardRows
            rowProps={(e) => ({ "aria-expanded": open === e.id })}
            empty={<Empty title={t("audit.empty")} hint={t("audit.emptyHint")} />}
            columns={[
              { header: t("audit.when"), className: "nowrap small", cell: (e) => fmtTime(locale, e.at) },
              { header: t("audit.who"), cell: (e) => e.actor },
              {
                header: t("audit.action"),
                cell: (e) => (
                  <Badge tone={e.action === "delete" || e.action === "revoke" ? "bad" : e.action === "create" ? "ok" : "brand"}>
                    {actionKey(e.action) in en ? t(actionKey(e.action)) : e.action}
                  </Badge>
                ),
              },
              {
                header: t("audit.entity"),
                cell: (e) => (
                  <>
                    {ENTITIES[e.entity] ? t(ENTITIES[e.entity] as MessageKey) : e.entity}{" "}
                    <span className="muted">#{e.entity_id ?? "–"}</span>
                  </>
                ),
              },
              {
                header: t("audit.details"),
                className: "small details-cell",
                cell: (e) =>
                  open === e.id ? (
                    <pre className="json">{JSON.stringify(e.details, null, 2)}</pre>
                  ) : (
                    <span className="mono ellipsis">{JSON.stringify(e.details)}</span>
                  ),
              },
            ]}
          />
        </Card>
      </div>
    </>
  );
}
