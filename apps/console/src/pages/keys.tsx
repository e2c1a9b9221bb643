import { useCallback, useEffect, useState } from "react";
import { setPlaygroundKey } from "../api/chat-stream.js";
import { api } from "../api/client.js";
import type { ClientKeyOut, ClientKeyWithSecret } from "../api/types.js";
import {
  Badge,
  Card,
  ConfirmButton,
  CopyButton,
  Empty,
  ErrorAlert,
  Field,
  fieldError,
  Loading,
  Modal,
  PageHead,
} from "../components/ui.js";
import { fmtDate, fmtInt, fmtUsd } from "../format.js";
import { useI18n } from "../i18n/index.js";
import { navigate } from "../router.js";
import { useModels } from "./models.js";

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

const toLocalInput = (iso: string | null) =>
  iso ? new Date(new Date(iso).getTime() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : "";

export function KeysPage() {
  const { t, locale } = useI18n();
  const [keys, setKeys] = useState<ClientKeyOut[]>();
  const [error, setError] = useState<unknown>();
  const [editing, setEditing] = useState<ClientKeyOut | "new">();
  const [created, setCreated] = useState<ClientKeyWithSecret>();
  const reload = useCallback(async () => {
    try {
      setKeys((await api<{ keys: ClientKeyOut[] }>("GET", "/v1/db/keys")).keys);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      await reload();
    } catch (err) {
      setError(err);
    }
  };
  const now = Date.now();
  return (
    <>
      <PageHead
        title={t("keys.title")}
        subtitle={t("keys.subtitle")}
        actions={
          <button type="button" className="primary" onClick={() => setEditing("new")}>
            + {t("keys.add")}
          </button>
        }
      />
      <div className="stack">
        <ErrorAlert error={error} />
        <Card>
          {!keys ? (
            error ? null : (
              <Loading />
            )
          ) : keys.length === 0 ? (
            <Empty
              title={t("keys.empty")}
              hint={t("keys.emptyHint")}
              action={
                <button type="button" className="primary" onClick={() => setEditing("new")}>
                  + {t("keys.add")}
                </button>
              }
            />
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>{t("common.name")}</th>
                    <th>{t("keys.models")}</th>
                    <th>{t("keys.limits")}</th>
                    <th>{t("keys.spend")}</th>
                    <th>{t("keys.expires")}</th>
                    <th>{t("common.status")}</th>
                    <th>
                      <span className="sr-only">{t("common.actions")}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {keys.map((k) => {
                    const expired = k.expires_at !== null && Date.parse(k.expires_at) <= now;
                    return (
                      <tr key={k.id}>
                        <td className="nowrap">
                          <strong>{k.name}</strong>
                          <div className="mono small muted">{k.prefix}…</div>
                        </td>
                        <td className="small">{k.models ? k.models.join(", ") : <span className="muted">{t("keys.allModels")}</span>}</td>
                        <td className="small nowrap">
                          {k.rpm_limit || k.tpm_limit ? (
                            <>
                              {k.rpm_limit ? <div>{t("keys.rpmValue", { n: fmtInt(locale, k.rpm_limit) })}</div> : null}
                              {k.tpm_limit ? <div>{t("keys.tpmValue", { n: fmtInt(locale, k.tpm_limit) })}</div> : null}
                            </>
                          ) : (
                            <span className="muted">{t("keys.noLimits")}</span>
                          )}
                        </td>
                        <td>
                          <SpendBar spent={k.spent_usd} budget={k.budget_usd} />
                        </td>
                        <td className="small nowrap">{k.expires_at ? fmtDate(locale, k.expires_at) : t("keys.never")}</td>
                        <td>
                          {k.revoked ? (
                            <Badge tone="bad">{t("keys.revoked")}</Badge>
                          ) : expired ? (
                            <Badge tone="warn">{t("keys.expired")}</Badge>
                          ) : (
                            <Badge tone="ok">{t("keys.active")}</Badge>
                          )}
                        </td>
                        <td>
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
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      </div>
      {editing && (
        <KeyForm
          keyRow={editing === "new" ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={async (c) => {
            setEditing(undefined);
            if (c) setCreated(c);
            await reload();
          }}
        />
      )}
      {created && (
        <Modal title={t("keys.createdTitle")} onClose={() => setCreated(undefined)}>
          <div className="alert info">{t("keys.createdOnce")}</div>
          <div className="secret">
            <code data-testid="new-key">{created.key}</code>
            <CopyButton text={created.key} />
          </div>
          <div className="actions">
            <button
              type="button"
              onClick={() => {
                setPlaygroundKey(created.key);
                setCreated(undefined);
                navigate("/playground");
              }}
            >
              {t("keys.useInPlayground")}
            </button>
            <button type="button" className="primary" onClick={() => setCreated(undefined)}>
              {t("keys.done")}
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}

function KeyForm(props: { keyRow: ClientKeyOut | undefined; onClose(): void; onSaved(created?: ClientKeyWithSecret): void }) {
  const { t } = useI18n();
  const { models } = useModels();
  const k = props.keyRow;
  const [name, setName] = useState(k?.name ?? "");
  const [allowed, setAllowed] = useState<string[]>(k?.models ?? []);
  const [rpm, setRpm] = useState(k?.rpm_limit ? String(k.rpm_limit) : "");
  const [tpm, setTpm] = useState(k?.tpm_limit ? String(k.tpm_limit) : "");
  const [budget, setBudget] = useState(k?.budget_usd !== null && k?.budget_usd !== undefined ? String(k.budget_usd) : "");
  const [expires, setExpires] = useState(toLocalInput(k?.expires_at ?? null));
  const [error, setError] = useState<unknown>();
  const num = (s: string) => (s.trim() === "" ? null : Number(s));
  return (
    <Modal title={k ? t("keys.edit") : t("keys.add")} onClose={props.onClose}>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          const body = {
            name: name.trim(),
            models: allowed.length > 0 ? allowed : null,
            rpm_limit: num(rpm),
            tpm_limit: num(tpm),
            budget_usd: num(budget),
            expires_at: expires ? new Date(expires).toISOString() : null,
          };
          try {
            if (k) {
              await api("PUT", `/v1/db/keys/${k.id}`, { body });
              props.onSaved();
            } else props.onSaved(await api<ClientKeyWithSecret>("POST", "/v1/db/keys", { body }));
          } catch (err) {
            setError(err);
          }
        }}
      >
        <ErrorAlert error={error} />
        <div className="form-grid">
          <Field
            className="span-2"
            label={t("common.name")}
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={fieldError(error, "name")}
            hint={t("keys.nameHint")}
          />
          <fieldset className="field span-2" style={{ border: 0, padding: 0, margin: 0 }}>
            <legend className="label" style={{ fontWeight: 550, fontSize: 12.5, marginBottom: 4 }}>
              {t("keys.models")}
            </legend>
            <div className="row">
              {(models ?? []).map((m) => (
                <label key={m.id} className="check">
                  <input
                    type="checkbox"
                    checked={allowed.includes(m.name)}
                    onChange={(e) => setAllowed(e.target.checked ? [...allowed, m.name] : allowed.filter((x) => x !== m.name))}
                  />
                  {m.name}
                </label>
              ))}
            </div>
            <span className="hint">{t("keys.modelsHint")}</span>
            {fieldError(error, "models") && <span className="error">{fieldError(error, "models")}</span>}
          </fieldset>
          <Field
            label={t("keys.rpm")}
            type="number"
            min={1}
            step={1}
            value={rpm}
            onChange={(e) => setRpm(e.target.value)}
            error={fieldError(error, "rpm_limit")}
            hint={t("keys.emptyNoLimit")}
          />
          <Field
            label={t("keys.tpm")}
            type="number"
            min={1}
            step={1}
            value={tpm}
            onChange={(e) => setTpm(e.target.value)}
            error={fieldError(error, "tpm_limit")}
            hint={t("keys.emptyNoLimit")}
          />
          <Field
            label={t("keys.budget")}
            type="number"
            min={0}
            step="any"
            value={budget}
            onChange={(e) => setBudget(e.target.value)}
            error={fieldError(error, "budget_usd")}
            hint={t("keys.emptyNoLimit")}
          />
          <Field
            label={t("keys.expires")}
            type="datetime-local"
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
            error={fieldError(error, "expires_at")}
            hint={t("keys.expiresHint")}
          />
        </div>
        <div className="actions">
          {k && (
            <span className="grow">
              <ConfirmButton
                label={t("keys.delete")}
                confirm={t("common.sure")}
                onConfirm={async () => {
                  try {
                    await api("DELETE", `/v1/db/keys/${k.id}`);
                    props.onSaved();
                  } catch (err) {
                    setError(err);
                  }
                }}
              />
            </span>
          )}
          <button type="button" onClick={props.onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary">
            {k ? t("common.save") : t("common.create")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
