import { useCallback, useEffect, useState } from "react";
import { api } from "../api/client.js";
import type { AuditEntry } from "../api/types.js";
import { Badge, Card, Empty, ErrorAlert, Field, Loading, PageHead } from "../components/ui.js";
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
              <Field label={t("audit.entity")}>
                {(id) => (
                  <select id={id} value={entity} onChange={(e) => setEntity(e.target.value)}>
                    <option value="">{t("usage.any")}</option>
                    {Object.entries(ENTITIES).map(([v, k]) => (
                      <option key={v} value={v}>
                        {t(k)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
          }
        >
          {!entries ? (
            error ? null : (
              <Loading />
            )
          ) : entries.length === 0 ? (
            <Empty title={t("audit.empty")} hint={t("audit.emptyHint")} />
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>{t("audit.when")}</th>
                    <th>{t("audit.who")}</th>
                    <th>{t("audit.action")}</th>
                    <th>{t("audit.entity")}</th>
                    <th>{t("audit.details")}</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e) => (
                    <tr
                      key={e.id}
                      className="clickable"
                      tabIndex={0}
                      aria-expanded={open === e.id}
                      onClick={() => setOpen(open === e.id ? undefined : e.id)}
                      onKeyDown={(k) => k.key === "Enter" && setOpen(open === e.id ? undefined : e.id)}
                    >
                      <td className="nowrap small">{fmtTime(locale, e.at)}</td>
                      <td>{e.actor}</td>
                      <td>
                        <Badge tone={e.action === "delete" || e.action === "revoke" ? "bad" : e.action === "create" ? "ok" : "brand"}>
                          {actionKey(e.action) in en ? t(actionKey(e.action)) : e.action}
                        </Badge>
                      </td>
                      <td>
                        {ENTITIES[e.entity] ? t(ENTITIES[e.entity] as MessageKey) : e.entity}{" "}
                        <span className="muted">#{e.entity_id ?? "–"}</span>
                      </td>
                      <td className="small" style={{ maxWidth: 420 }}>
                        {open === e.id ? (
                          <pre className="json">{JSON.stringify(e.details, null, 2)}</pre>
                        ) : (
                          <span
                            className="mono"
                            style={{ display: "block", overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}
                          >
                            {JSON.stringify(e.details)}
                          </span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      </div>
    </>
  );
}
