import { useState } from "react";
import { api } from "../api/client.js";
import type { ProviderOut } from "../api/types.js";
import { FormDialog } from "../components/dialog.js";
import { CheckField, CheckGroup, Field, fieldError, SelectField } from "../components/form-field.js";
import { useI18n } from "../i18n/index.js";

/** The provider adapters, as the API names them. */
export const ADAPTERS = ["openai", "openai-compatible", "anthropic", "gemini", "volcengine", "mock"] as const;
/** An example endpoint in the base URL field (not a word to translate). */
const BASE_URL_EXAMPLE = "https://api.example.com/v1";

/** Scheme, host and port of an endpoint ("" when none or not a URL). */
const originOf = (url: string | null | undefined) => {
  try {
    return url ? new URL(url).origin : "";
  } catch {
    return "";
  }
};

/** Adds a provider (with its first key), or edits one (keys are managed on its page). */
export function ProviderForm(props: { provider?: ProviderOut; onClose(): void; onSaved(id: number): void }) {
  const { t } = useI18n();
  const p = props.provider;
  const [name, setName] = useState(p?.name ?? "");
  const [adapter, setAdapter] = useState<string>(p?.adapter ?? "openai-compatible");
  const [baseUrl, setBaseUrl] = useState(p?.official_endpoint ?? "");
  const [apiKey, setApiKey] = useState("");
  const [description, setDescription] = useState(p?.description ?? "");
  const [timeout, setTimeoutMs] = useState(String(p?.timeout_ms ?? 60000));
  const [enabled, setEnabled] = useState(p?.is_enabled ?? true);
  const [confirmHost, setConfirmHost] = useState(false);
  // The stored key (and headers) only go to another host when entered again or explicitly sent there.
  const hostMoves =
    p !== undefined &&
    originOf(baseUrl.trim()) !== "" &&
    originOf(baseUrl.trim()) !== originOf(p.official_endpoint ?? p.third_party_endpoint);
  const save = async () => {
    const body: Record<string, unknown> = {
      name: name.trim(),
      adapter,
      description: description.trim() || null,
      is_enabled: enabled,
      timeout_ms: Number(timeout),
    };
    if (baseUrl.trim()) body.base_url = baseUrl.trim();
    if (p) {
      if (!baseUrl.trim()) body.official_endpoint = null;
      if (hostMoves && apiKey.trim()) body.api_key = apiKey.trim();
      if (hostMoves && confirmHost) body.confirm_new_host = true;
      await api("PUT", `/v1/db/providers/${p.id}`, { body });
      props.onSaved(p.id);
    } else {
      if (apiKey.trim()) body.api_key = apiKey.trim();
      props.onSaved((await api<{ provider_id: number }>("POST", "/v1/db/providers", { body })).provider_id);
    }
  };
  return (
    <FormDialog
      title={p ? t("providers.edit") : t("providers.add")}
      submitLabel={p ? t("common.save") : t("common.create")}
      onClose={props.onClose}
      onSubmit={save}
    >
      {(error) => (
        <div className="form-grid">
          <Field
            label={t("common.name")}
            value={name}
            required
            onChange={(e) => setName(e.target.value)}
            error={fieldError(error, "name")}
            hint={t("providers.nameHint")}
          />
          <SelectField
            label={t("providers.adapter")}
            value={adapter}
            onChange={setAdapter}
            options={ADAPTERS}
            error={fieldError(error, "adapter")}
          />
          <Field
            className="span-2"
            label={t("providers.baseUrl")}
            value={baseUrl}
            placeholder={BASE_URL_EXAMPLE}
            onChange={(e) => setBaseUrl(e.target.value)}
            error={fieldError(error, "base_url", "official_endpoint")}
            hint={t("providers.baseUrlHint")}
          />
          {(!p || hostMoves) && (
            <Field
              className="span-2"
              label={t("providers.apiKey")}
              type="password"
              autoComplete="off"
              value={apiKey}
              onChange={(e) => setApiKey(e.target.value)}
              error={fieldError(error, "api_key", "headers")}
              hint={hostMoves ? t("providers.hostMovesHint") : t("providers.apiKeyHint")}
            />
          )}
          {hostMoves && (
            <CheckGroup label={t("providers.baseUrl")}>
              <CheckField label={t("providers.confirmNewHost")} checked={confirmHost} onChange={setConfirmHost} />
            </CheckGroup>
          )}
          <Field
            label={t("providers.timeout")}
            type="number"
            min={1}
            value={timeout}
            onChange={(e) => setTimeoutMs(e.target.value)}
            error={fieldError(error, "timeout_ms")}
          />
          <CheckGroup label={t("common.status")}>
            <CheckField label={t("common.enabled")} checked={enabled} onChange={setEnabled} />
          </CheckGroup>
          <Field
            className="span-2"
            label={t("common.description")}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            error={fieldError(error, "description")}
          />
        </div>
      )}
    </FormDialog>
  );
}
