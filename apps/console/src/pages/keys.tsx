import { useState } from "react";
import { setPlaygroundKey } from "../api/chat-stream.js";
import { api } from "../api/client.js";
import type { ClientKeyOut, ClientKeyWithSecret } from "../api/types.js";
import { useApiList } from "../api/use-api.js";
import { DataTable } from "../components/data-table.js";
import { Modal } from "../components/dialog.js";
import { Empty } from "../components/empty-state.js";
import { ErrorAlert } from "../components/error-alert.js";
import { Identifier } from "../components/identifier.js";
import { AddButton, Badge, Card, ConfirmButton, CopyButton, PageHead } from "../components/ui.js";
import { fmtDate, fmtInt, fmtUsd } from "../format.js";
import { useI18n } from "../i18n/index.js";
import { navigate } from "../router.js";
import { KeyForm } from "./key-form.js";

export function SpendBar(props: { spent: number; budget: number | null }) {
  const { t, locale } = useI18n();
  if (props.budget === null) return <span className="small">{t("keys.spentNoBudget", { spent: fmtUsd(locale, props.spent) })}</span>;
  const ratio = props.budget === 0 ? 1 : Math.min(props.spent / props.budget, 1);
  const tone = ratio >= 1 ? "bad" : ratio >= 0.8 ? "warn" : "";
  return (
    <div style={{ minWidth: 140 }}>
      {/* biome-ignore lint/a11y/useSemanticElements: a styled bar; <meter> cannot be styled the same in every browser */}
      <div
        className={`bar ${tone}`}
        role="meter"
        aria-valuemin={0}
        aria-valuemax={props.budget}
        aria-valuenow={props.spent}
        aria-label={t("keys.spend")}
      >
        <span style={{ width: `${ratio * 100}%` }} />
      </div>
      <div className="small muted">
        {fmtUsd(locale, props.spent)} / {fmtUsd(locale, props.budget)}
      </div>
    </div>
  );
}

export function KeysPage() {
  const { t, locale } = useI18n();
  const { data: keys, error: loadError, reload } = useApiList<ClientKeyOut>("/v1/db/keys", "keys");
  const [actionError, setError] = useState<unknown>();
  const [editing, setEditing] = useState<ClientKeyOut | "new">();
  const [created, setCreated] = useState<ClientKeyWithSecret>();
  const error = actionError ?? loadError;
  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      setError(undefined);
      await reload();
    } catch (err) {
      setError(err);
    }
  };
  const now = Date.now();
  const add = <AddButton label={t("keys.add")} onClick={() => setEditing("new")} />;
  return (
    <>
      <PageHead title={t("keys.title")} subtitle={t("keys.subtitle")} actions={add} />
      <div className="stack">
        <ErrorAlert error={error} />
        <Card>
          <DataTable
            rows={keys}
            error={error}
            rowKey={(k) => k.id}
            empty={<Empty title={t("keys.empty")} hint={t("keys.emptyHint")} action={add} />}
            columns={[
              {
                header: t("common.name"),
                className: "nowrap",
                cell: (k) => (
                  <>
                    <strong>{k.name}</strong>
                    <div className="mono small muted">{k.prefix}…</div>
                  </>
                ),
              },
              {
                header: t("keys.models"),
                className: "small",
                cell: (k) =>
                  k.models ? <Identifier inline text={k.models.join(", ")} /> : <span className="muted">{t("keys.allModels")}</span>,
              },
              {
                header: t("keys.limits"),
                className: "small nowrap",
                cell: (k) =>
                  k.rpm_limit || k.tpm_limit ? (
                    <>
                      {k.rpm_limit ? <div>{t("keys.rpmValue", { n: fmtInt(locale, k.rpm_limit) })}</div> : null}
                      {k.tpm_limit ? <div>{t("keys.tpmValue", { n: fmtInt(locale, k.tpm_limit) })}</div> : null}
                    </>
                  ) : (
                    <span className="muted">{t("keys.noLimits")}</span>
                  ),
              },
              { header: t("keys.spend"), cell: (k) => <SpendBar spent={k.spent_usd} budget={k.budget_usd} /> },
              {
                header: t("keys.expires"),
                className: "small nowrap",
                cell: (k) => (k.expires_at ? fmtDate(locale, k.expires_at) : t("keys.never")),
              },
              {
                header: t("common.status"),
                cell: (k) => <KeyStatus revoked={k.revoked} expired={k.expires_at !== null && Date.parse(k.expires_at) <= now} />,
              },
              {
                header: t("common.actions"),
                hiddenHeader: true,
                cell: (k) => (
                  <div className="row-actions">
                    <button type="button" className="small" onClick={() => setEditing(k)}>
                      {t("common.edit")}
                    </button>
                    <ConfirmButton
                      label={t("keys.resetSpend")}
                      className="small"
                      confirm={t("common.sure")}
                      onConfirm={() => act(() => api("POST", `/v1/db/keys/${k.id}/reset-spend`))}
                    />
                    {!k.revoked && (
                      <ConfirmButton
                        label={t("keys.revoke")}
                        confirm={t("keys.confirmRevoke")}
                        onConfirm={() => act(() => api("POST", `/v1/db/keys/${k.id}/revoke`))}
                      />
                    )}
                  </div>
                ),
              },
            ]}
          />
        </Card>
      </div>
      {editing && (
        <KeyForm
          keyRow={editing === "new" ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={async (c) => {
            setEditing(undefined);
            setError(undefined);
            if (c) setCreated(c);
            await reload();
          }}
        />
      )}
      {created && <CreatedKey created={created} onClose={() => setCreated(undefined)} />}
    </>
  );
}

function KeyStatus(props: { revoked: boolean; expired: boolean }) {
  const { t } = useI18n();
  if (props.revoked) return <Badge tone="bad">{t("keys.revoked")}</Badge>;
  if (props.expired) return <Badge tone="warn">{t("keys.expired")}</Badge>;
  return <Badge tone="ok">{t("keys.active")}</Badge>;
}

/** The new key's secret, shown once. */
function CreatedKey(props: { created: ClientKeyWithSecret; onClose(): void }) {
  const { t } = useI18n();
  const key = props.created.key;
  return (
    <Modal title={t("keys.createdTitle")} onClose={props.onClose}>
      <div className="alert info">{t("keys.createdOnce")}</div>
      <div className="secret">
        <code data-testid="new-key">{key}</code>
        <CopyButton text={key} />
      </div>
      <div className="actions">
        <button
          type="button"
          onClick={() => {
            setPlaygroundKey(key);
            props.onClose();
            navigate("/playground");
          }}
        >
          {t("keys.useInPlayground")}
        </button>
        <button type="button" className="primary" onClick={props.onClose}>
          {t("keys.done")}
        </button>
      </div>
    </Modal>
  );
}
