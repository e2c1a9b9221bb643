import { useState } from "react";
import { api } from "../api/client.js";
import type { ClientKeyOut, ClientKeyWithSecret } from "../api/types.js";
import { useModels } from "../api/use-api.js";
import { FormDialog } from "../components/dialog.js";
import { CheckField, Field, fieldError } from "../components/form-field.js";
import { ConfirmButton } from "../components/ui.js";
import { useI18n } from "../i18n/index.js";

const toLocalInput = (iso: string | null) =>
  iso ? new Date(new Date(iso).getTime() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : "";
const num = (s: string) => (s.trim() === "" ? null : Number(s));
const numField = (v: number | null | undefined) => (v === null || v === undefined ? "" : String(v));

/** Creates a client key (its secret is shown once, by the page) or edits one's models, limits, budget and expiry. */
export function KeyForm(props: { keyRow: ClientKeyOut | undefined; onClose(): void; onSaved(created?: ClientKeyWithSecret): void }) {
  const { t } = useI18n();
  const { models } = useModels();
  const k = props.keyRow;
  const [name, setName] = useState(k?.name ?? "");
  const [allowed, setAllowed] = useState<string[]>(k?.models ?? []);
  const [rpm, setRpm] = useState(k?.rpm_limit ? String(k.rpm_limit) : "");
  const [tpm, setTpm] = useState(k?.tpm_limit ? String(k.tpm_limit) : "");
  const [budget, setBudget] = useState(numField(k?.budget_usd));
  const [expires, setExpires] = useState(toLocalInput(k?.expires_at ?? null));
  const save = async () => {
    const body = {
      name: name.trim(),
      models: allowed.length > 0 ? allowed : null,
      rpm_limit: num(rpm),
      tpm_limit: num(tpm),
      budget_usd: num(budget),
      expires_at: expires ? new Date(expires).toISOString() : null,
    };
    if (k) {
      await api("PUT", `/v1/db/keys/${k.id}`, { body });
      props.onSaved();
    } else props.onSaved(await api<ClientKeyWithSecret>("POST", "/v1/db/keys", { body }));
  };
  const limit = (label: string, value: string, set: (v: string) => void, field: string, error: unknown, step: number | "any" = 1) => (
    <Field
      label={label}
      type="number"
      min={step === "any" ? 0 : 1}
      step={step}
      value={value}
      onChange={(e) => set(e.target.value)}
      error={fieldError(error, field)}
      hint={t("keys.emptyNoLimit")}
    />
  );
  return (
    <FormDialog
      title={k ? t("keys.edit") : t("keys.add")}
      submitLabel={k ? t("common.save") : t("common.create")}
      onClose={props.onClose}
      onSubmit={save}
      extraActions={(fail) =>
        k && (
          <span className="grow">
            <ConfirmButton
              label={t("keys.delete")}
              confirm={t("common.sure")}
              onConfirm={async () => {
                try {
                  await api("DELETE", `/v1/db/keys/${k.id}`);
                  props.onSaved();
                } catch (err) {
                  fail(err);
                }
              }}
            />
          </span>
        )
      }
    >
      {(error) => (
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
                <CheckField
                  key={m.id}
                  label={m.name}
                  checked={allowed.includes(m.name)}
                  onChange={(on) => setAllowed(on ? [...allowed, m.name] : allowed.filter((x) => x !== m.name))}
                />
              ))}
            </div>
            <span className="hint">{t("keys.modelsHint")}</span>
            {fieldError(error, "models") && <span className="error">{fieldError(error, "models")}</span>}
          </fieldset>
          {limit(t("keys.rpm"), rpm, setRpm, "rpm_limit", error)}
          {limit(t("keys.tpm"), tpm, setTpm, "tpm_limit", error)}
          {limit(t("keys.budget"), budget, setBudget, "budget_usd", error, "any")}
          <Field
            label={t("keys.expires")}
            type="datetime-local"
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
            error={fieldError(error, "expires_at")}
            hint={t("keys.expiresHint")}
          />
        </div>
      )}
    </FormDialog>
  );
}
