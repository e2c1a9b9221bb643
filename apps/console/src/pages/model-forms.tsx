import { useState } from "react";
import { api } from "../api/client.js";
import type { LinkOut, ModelOut, ProviderOut } from "../api/types.js";
import { FormDialog } from "../components/dialog.js";
import { CheckField, CheckGroup, Field, fieldError, SelectField } from "../components/form-field.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/index.js";

/** The balancing strategies, as the API names them. */
export const STRATEGIES = [
  "weighted_round_robin",
  "round_robin",
  "least_connections",
  "performance_based",
  "cost_optimized",
  "fallback",
  "specified_provider",
  "hybrid",
  "pareto_optimal",
];
/** What a model serves, as the API names it. */
const LLM_TYPES = ["chat", "embedding", "image", "transcription", "speech", "moderation", "rerank", "completion", "realtime"];
const providerChoices = (providers: ProviderOut[]) => providers.map((p) => ({ value: String(p.id), label: p.name }));

export function ModelCreateForm(props: { providers: ProviderOut[]; onClose(): void; onSaved(id: number): void }) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [llmType, setLlmType] = useState("chat");
  const [strategy, setStrategy] = useState("weighted_round_robin");
  // Until the operator picks one, the first provider (the list may arrive after the dialog opened).
  const [picked, setProviderId] = useState<string>();
  const providerId = picked ?? (props.providers[0] ? String(props.providers[0].id) : "");
  const [upstream, setUpstream] = useState("");
  const [weight, setWeight] = useState("10");
  const save = async () => {
    const body: Record<string, unknown> = { name: name.trim(), llm_type: llmType, strategy };
    if (providerId) {
      body.provider_id = Number(providerId);
      body.provider_weight = Number(weight);
      if (upstream.trim()) body.upstream_model = upstream.trim();
    }
    props.onSaved((await api<{ id: number }>("POST", "/v1/db/models", { body })).id);
  };
  return (
    <FormDialog title={t("models.add")} submitLabel={t("common.create")} onClose={props.onClose} onSubmit={save}>
      {(error) => (
        <div className="form-grid">
          <Field
            label={t("common.name")}
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={fieldError(error, "name")}
            hint={t("models.nameHint")}
          />
          <SelectField
            label={t("models.type")}
            value={llmType}
            onChange={setLlmType}
            options={LLM_TYPES}
            error={fieldError(error, "llm_type")}
          />
          <SelectField
            label={t("models.strategy")}
            className="span-2"
            value={strategy}
            onChange={setStrategy}
            options={STRATEGIES}
            error={fieldError(error, "strategy")}
          />
          <SelectField
            label={t("models.firstProvider")}
            value={providerId}
            onChange={setProviderId}
            none={t("models.noProvider")}
            options={providerChoices(props.providers)}
            error={fieldError(error, "provider_id")}
          />
          <Field
            label={t("models.weight")}
            type="number"
            min={0.001}
            step="any"
            value={weight}
            onChange={(e) => setWeight(e.target.value)}
            error={fieldError(error, "provider_weight")}
          />
          <Field
            className="span-2"
            label={t("models.upstreamModel")}
            value={upstream}
            placeholder={name}
            onChange={(e) => setUpstream(e.target.value)}
            hint={t("models.upstreamHint")}
            error={fieldError(error, "upstream_model")}
          />
        </div>
      )}
    </FormDialog>
  );
}

const numOrNull = (s: string) => (s.trim() === "" ? null : Number(s));
const priceField = (v: number | undefined) => (v === undefined ? "" : String(v));

type UnitField = "per_audio_minute" | "per_mchar" | "per_search" | "per_image";
/** The unit a model of each kind is billed in besides tokens: its price field and the form's label. */
export const UNIT_PRICES: Record<string, { field: UnitField; labelKey: MessageKey; unit: MessageKey }> = {
  transcription: { field: "per_audio_minute", labelKey: "models.pricePerAudioMinute", unit: "models.unitAudioMinute" },
  speech: { field: "per_mchar", labelKey: "models.pricePerMchar", unit: "models.unitMchar" },
  rerank: { field: "per_search", labelKey: "models.pricePerSearch", unit: "models.unitSearch" },
  image: { field: "per_image", labelKey: "models.pricePerImage", unit: "models.unitImage" },
};
/** The price fields the form edits; any other a link has (cache writes...) is kept as it is. */
const EDITED = new Set<string>([
  "input_per_mtok",
  "output_per_mtok",
  "cached_input_per_mtok",
  "cache_write_per_mtok",
  "cache_write_1h_per_mtok",
  "input_audio_per_mtok",
  "output_audio_per_mtok",
  "per_audio_minute",
  "per_mchar",
  "per_search",
  "per_image",
]);

/** Links a provider to a model, or edits a link (weight, priority, price, flags). */
export function LinkForm(props: {
  model: ModelOut;
  link: LinkOut | undefined;
  providers: ProviderOut[];
  onClose(): void;
  onSaved(): void;
}) {
  const { t } = useI18n();
  const l = props.link;
  const [picked, setProviderId] = useState<string>();
  const providerId = picked ?? String(l?.provider_id ?? props.providers[0]?.id ?? "");
  const [upstream, setUpstream] = useState(l?.upstream_model ?? "");
  const [weight, setWeight] = useState(String(l?.weight ?? 10));
  const [priority, setPriority] = useState(String(l?.priority ?? 0));
  const [preferred, setPreferred] = useState(l?.is_preferred ?? false);
  const [healthCheck, setHealthCheck] = useState(l?.health_check ?? true);
  const [enabled, setEnabled] = useState(l?.is_enabled ?? true);
  const [input, setInput] = useState(priceField(l?.price?.input_per_mtok));
  const [output, setOutput] = useState(priceField(l?.price?.output_per_mtok));
  const [cached, setCached] = useState(priceField(l?.price?.cached_input_per_mtok));
  const [write5m, setWrite5m] = useState(priceField(l?.price?.cache_write_per_mtok));
  const [write1h, setWrite1h] = useState(priceField(l?.price?.cache_write_1h_per_mtok));
  const [audioIn, setAudioIn] = useState(priceField(l?.price?.input_audio_per_mtok));
  const [audioOut, setAudioOut] = useState(priceField(l?.price?.output_audio_per_mtok));
  const unit = UNIT_PRICES[props.model.llm_type];
  const [unitPrice, setUnitPrice] = useState(priceField(unit ? l?.price?.[unit.field] : undefined));
  const save = async () => {
    const [inP, outP, cachedP, w5P, w1P, unitP] = [
      numOrNull(input),
      numOrNull(output),
      numOrNull(cached),
      numOrNull(write5m),
      numOrNull(write1h),
      numOrNull(unitPrice),
    ];
    const [aiP, aoP] = [numOrNull(audioIn), numOrNull(audioOut)];
    const kept = Object.fromEntries(Object.entries(l?.price ?? {}).filter(([k]) => !EDITED.has(k)));
    const body: Record<string, unknown> = {
      upstream_model: upstream.trim() || null,
      weight: Number(weight),
      priority: Number(priority),
      is_preferred: preferred,
      health_check: healthCheck,
      is_enabled: enabled,
      price:
        inP === null && outP === null && (unitP === null || !unit)
          ? null
          : {
              ...kept,
              input_per_mtok: inP ?? 0,
              output_per_mtok: outP ?? 0,
              ...(cachedP !== null ? { cached_input_per_mtok: cachedP } : {}),
              ...(w5P !== null ? { cache_write_per_mtok: w5P } : {}),
              ...(w1P !== null ? { cache_write_1h_per_mtok: w1P } : {}),
              ...(aiP !== null ? { input_audio_per_mtok: aiP } : {}),
              ...(aoP !== null ? { output_audio_per_mtok: aoP } : {}),
              ...(unit && unitP !== null ? { [unit.field]: unitP } : {}),
            },
    };
    if (l) await api("PUT", `/v1/db/models/${props.model.id}/providers/${l.provider_id}`, { body });
    else await api("POST", `/v1/db/models/${props.model.id}/providers`, { body: { provider_id: Number(providerId), ...body } });
    props.onSaved();
  };
  const price = (label: string, value: string, set: (v: string) => void, error?: string) => (
    <Field label={label} type="number" step="any" min={0} value={value} onChange={(e) => set(e.target.value)} error={error} />
  );
  return (
    <FormDialog
      title={l ? t("models.editLink", { provider: l.provider_name }) : t("models.link")}
      submitLabel={t("common.save")}
      onClose={props.onClose}
      onSubmit={save}
    >
      {(error) => (
        <div className="form-grid">
          <SelectField
            label={t("models.provider")}
            value={providerId}
            onChange={setProviderId}
            disabled={!!l}
            options={providerChoices(l ? props.providers.filter((p) => p.id === l.provider_id) : props.providers)}
            error={fieldError(error, "provider_id")}
          />
          <Field
            label={t("models.upstreamModel")}
            value={upstream}
            placeholder={props.model.name}
            onChange={(e) => setUpstream(e.target.value)}
            error={fieldError(error, "upstream_model")}
          />
          <Field
            label={t("models.weight")}
            type="number"
            step="any"
            min={0.001}
            value={weight}
            onChange={(e) => setWeight(e.target.value)}
            error={fieldError(error, "weight")}
          />
          <Field
            label={t("models.priority")}
            type="number"
            min={0}
            step={1}
            value={priority}
            onChange={(e) => setPriority(e.target.value)}
            error={fieldError(error, "priority")}
            hint={t("models.priorityHint")}
          />
          {price(t("models.priceIn"), input, setInput, fieldError(error, "price"))}
          {price(t("models.priceOut"), output, setOutput)}
          {price(t("models.priceCached"), cached, setCached)}
          {price(t("models.priceCacheWrite"), write5m, setWrite5m)}
          {price(t("models.priceCacheWrite1h"), write1h, setWrite1h)}
          {unit && price(t(unit.labelKey), unitPrice, setUnitPrice)}
          {price(t("models.priceAudioIn"), audioIn, setAudioIn)}
          {price(t("models.priceAudioOut"), audioOut, setAudioOut)}
          <CheckGroup label={t("models.options")}>
            <CheckField label={t("models.preferred")} checked={preferred} onChange={setPreferred} />
            <CheckField label={t("models.healthCheck")} checked={healthCheck} onChange={setHealthCheck} />
            <CheckField label={t("common.enabled")} checked={enabled} onChange={setEnabled} />
          </CheckGroup>
        </div>
      )}
    </FormDialog>
  );
}
