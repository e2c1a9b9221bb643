import { useState } from "react";
import { api } from "../api/client.js";
import type { ProviderKeyOut, ProviderOut, ProviderTestOut } from "../api/types.js";
import { DataTable } from "../components/data-table.js";
import { FormDialog } from "../components/dialog.js";
import { Empty } from "../components/empty-state.js";
import { ErrorAlert } from "../components/error-alert.js";
import { Field, fieldError } from "../components/form-field.js";
import { AddButton, Badge, Card, ConfirmButton, EnabledBadge, PageHead } from "../components/ui.js";
import { fmtInt, fmtMs, fmtTime } from "../format.js";
import { useI18n } from "../i18n/index.js";
import { TERMS } from "../i18n/terms.js";
import { Link, navigate } from "../router.js";
import { ProviderForm } from "./provider-form.js";

/** The answer of "Test connection": what was called, and what came back. */
function TestResult(props: { test: ProviderTestOut }) {
  const { t } = useI18n();
  const test = props.test;
  return (
    <div className={`alert ${test.ok ? "ok" : "error"}`} role="status">
      <strong>{test.ok ? t("providers.testOk", { ms: fmtMs(test.latency_ms) }) : t("providers.testFailed")}</strong>
      <span className="detail">
        {test.request ?? t("providers.testLocal")}
        {test.status !== null ? ` → ${TERMS.http} ${test.status}` : ""}
        {test.error ? ` · ${test.error}` : ""}
      </span>
    </div>
  );
}

export function ProviderDetail(props: { provider: ProviderOut; reload(): Promise<void> }) {
  const { t, locale } = useI18n();
  const p = props.provider;
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<unknown>();
  const [test, setTest] = useState<ProviderTestOut | "running">();
  const run = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      await props.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <PageHead
        title={p.name}
        subtitle={`${p.adapter} · ${p.base_url ?? "–"}`}
        actions={
          <>
            <Link to="/providers">← {t("providers.back")}</Link>
            <button
              type="button"
              disabled={test === "running"}
              onClick={async () => {
                setTest("running");
                try {
                  setTest(await api<ProviderTestOut>("POST", `/v1/db/providers/${p.id}/test`));
                } catch (err) {
                  setTest(undefined);
                  setError(err);
                }
              }}
            >
              {test === "running" ? t("providers.testing") : t("providers.test")}
            </button>
            <button type="button" onClick={() => setEditing(true)}>
              {t("common.edit")}
            </button>
            <ConfirmButton
              className="danger"
              label={t("common.delete")}
              confirm={t("providers.confirmDelete", { name: p.name })}
              onConfirm={async () => {
                setError(undefined);
                try {
                  await api("DELETE", `/v1/db/providers/${p.id}`);
                  await props.reload();
                  navigate("/providers");
                } catch (err) {
                  setError(err);
                }
              }}
            />
          </>
        }
      />
      <div className="stack">
        <ErrorAlert error={error} />
        {test && test !== "running" && <TestResult test={test} />}
        <div className="grid grid-2">
          <Card title={t("providers.settings")}>
            <dl className="kv">
              <dt>{t("providers.adapter")}</dt>
              <dd>
                <Badge tone="brand">{p.adapter}</Badge>
              </dd>
              <dt>{t("providers.baseUrl")}</dt>
              <dd className="mono">{p.base_url ?? "–"}</dd>
              <dt>{t("common.status")}</dt>
              <dd>
                <EnabledBadge enabled={p.is_enabled} />
              </dd>
              <dt>{t("providers.timeout")}</dt>
              <dd>{fmtInt(locale, p.timeout_ms)}</dd>
              <dt>{t("common.description")}</dt>
              <dd>{p.description || "–"}</dd>
              <dt>{t("common.updated")}</dt>
              <dd>{fmtTime(locale, p.updated_at)}</dd>
            </dl>
          </Card>
          <KeysCard provider={p} run={run} />
        </div>
      </div>
      {editing && (
        <ProviderForm
          provider={p}
          onClose={() => setEditing(false)}
          onSaved={async () => {
            setEditing(false);
            await props.reload();
          }}
        />
      )}
    </>
  );
}

function KeysCard(props: { provider: ProviderOut; run(fn: () => Promise<unknown>): Promise<void> }) {
  const { t, locale } = useI18n();
  const p = props.provider;
  const [adding, setAdding] = useState(false);
  const [rotating, setRotating] = useState<ProviderKeyOut>();
  const base = `/v1/db/providers/${p.id}/keys`;
  const close = () => {
    setAdding(false);
    setRotating(undefined);
  };
  return (
    <Card title={t("providers.keys")} actions={<AddButton small label={t("providers.addKey")} onClick={() => setAdding(true)} />}>
      <DataTable
        rows={p.api_keys}
        rowKey={(k) => k.id}
        empty={<Empty title={t("providers.noKeys")} hint={t("providers.noKeysHint")} />}
        columns={[
          {
            header: t("providers.key"),
            cell: (k) => (
              <>
                <code>{k.masked}</code>
                {k.name && <div className="small muted">{k.name}</div>}
              </>
            ),
          },
          { header: t("common.status"), cell: (k) => <EnabledBadge enabled={k.is_enabled} /> },
          { header: t("providers.rotated"), className: "small", cell: (k) => (k.rotated_at ? fmtTime(locale, k.rotated_at) : "–") },
          {
            header: t("common.actions"),
            hiddenHeader: true,
            cell: (k) => (
              <div className="row-actions">
                <button type="button" className="small" onClick={() => setRotating(k)}>
                  {t("providers.rotate")}
                </button>
                <button
                  type="button"
                  className="small"
                  onClick={() => props.run(() => api("PUT", `${base}/${k.id}`, { body: { is_enabled: !k.is_enabled } }))}
                >
                  {k.is_enabled ? t("common.disable") : t("common.enable")}
                </button>
                <ConfirmButton
                  label={t("common.delete")}
                  confirm={t("common.sure")}
                  onConfirm={() => props.run(() => api("DELETE", `${base}/${k.id}`))}
                />
              </div>
            ),
          },
        ]}
      />
      {(adding || rotating) && (
        <KeyForm
          title={rotating ? t("providers.rotateTitle", { key: rotating.masked }) : t("providers.addKey")}
          withName={!rotating}
          onClose={close}
          onSubmit={async (apiKey, name) => {
            if (rotating) await api("POST", `${base}/${rotating.id}/rotate`, { body: { api_key: apiKey } });
            else await api("POST", base, { body: { api_key: apiKey, ...(name ? { name } : {}) } });
            close();
            await props.run(async () => {});
          }}
        />
      )}
    </Card>
  );
}

function KeyForm(props: { title: string; withName: boolean; onClose(): void; onSubmit(apiKey: string, name: string): Promise<void> }) {
  const { t } = useI18n();
  const [apiKey, setApiKey] = useState("");
  const [name, setName] = useState("");
  return (
    <FormDialog
      title={props.title}
      submitLabel={t("common.save")}
      submitDisabled={!apiKey.trim()}
      onClose={props.onClose}
      onSubmit={() => props.onSubmit(apiKey.trim(), name.trim())}
    >
      {(error) => (
        <>
          <Field
            label={t("providers.apiKey")}
            type="password"
            autoComplete="off"
            required
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
            error={fieldError(error, "api_key")}
            hint={t("providers.apiKeyHint")}
          />
          {props.withName && <Field label={t("providers.keyName")} value={name} onChange={(e) => setName(e.target.value)} />}
        </>
      )}
    </FormDialog>
  );
}
