import { useState } from "react";
import { api } from "../api/client.js";
import type { LinkOut, ModelOut, ProviderOut } from "../api/types.js";
import { DataTable } from "../components/data-table.js";
import { useSubmit } from "../components/dialog.js";
import { Empty } from "../components/empty-state.js";
import { ErrorAlert } from "../components/error-alert.js";
import { CheckField, Field, fieldError, SelectField } from "../components/form-field.js";
import { AddButton, Badge, Card, ConfirmButton, PageHead } from "../components/ui.js";
import { fmtNum } from "../format.js";
import { type T, useI18n } from "../i18n/index.js";
import { Link, navigate } from "../router.js";
import { LinkForm, STRATEGIES, UNIT_PRICES } from "./model-forms.js";
import { Playground } from "./playground.js";

/** Session affinity modes, as the API names them ("" = the default). */
const AFFINITY = ["session", "prefix", "off"];
/** Tokens in / out, and the model kind's unit price when the link has one ("$0.006 / audio min"). */
const linkPrice = (l: LinkOut, llmType: string, t: T) => {
  if (!l.price) return "–";
  const tokens = `$${l.price.input_per_mtok} / $${l.price.output_per_mtok}`;
  const u = UNIT_PRICES[llmType];
  const v = u ? l.price[u.field] : undefined;
  return v === undefined ? tokens : `${tokens} · $${v} / ${t(u!.unit)}`;
};

function StrategyCard(props: { model: ModelOut; reload(): Promise<void> }) {
  const { t } = useI18n();
  const m = props.model;
  const [name, setName] = useState(m.name);
  const [description, setDescription] = useState(m.description ?? "");
  const [strategy, setStrategy] = useState(m.strategy);
  const [options, setOptions] = useState(JSON.stringify(m.strategy_options, null, 2));
  const [enabled, setEnabled] = useState(m.is_enabled);
  const [continuation, setContinuation] = useState(m.stream_continuation);
  const [affinity, setAffinity] = useState(m.affinity ?? "");
  const [cacheTtl, setCacheTtl] = useState(m.cache_ttl_s ? String(m.cache_ttl_s) : "");
  const [breakpoints, setBreakpoints] = useState(m.cache_breakpoints ?? true);
  const [cacheShared, setCacheShared] = useState(m.cache_shared ?? false);
  const [optionsError, setOptionsError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const { error, onSubmit } = useSubmit(async () => {
    setOptionsError(undefined);
    setSaved(false);
    let parsed: unknown;
    try {
      parsed = JSON.parse(options || "{}");
    } catch {
      setOptionsError(t("models.optionsJson"));
      return;
    }
    await api("PUT", `/v1/db/models/${m.id}`, {
      body: {
        name: name.trim(),
        description: description.trim() || null,
        strategy,
        strategy_options: parsed,
        is_enabled: enabled,
        stream_continuation: continuation,
        affinity: affinity || null,
        cache_ttl_s: cacheTtl.trim() === "" ? null : Number(cacheTtl),
        cache_breakpoints: breakpoints,
        cache_shared: cacheShared,
      },
    });
    setSaved(true);
    await props.reload();
  });
  return (
    <Card title={t("models.routing")}>
      <form className="stack" onSubmit={onSubmit}>
        <Field
          label={t("common.name")}
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fieldError(error, "name")}
          hint={t("models.nameHint")}
        />
        <Field
          label={t("common.description")}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          error={fieldError(error, "description")}
        />
        <SelectField
          label={t("models.strategy")}
          value={strategy}
          onChange={setStrategy}
          options={[...new Set([...STRATEGIES, m.strategy])]}
          error={fieldError(error, "strategy")}
        />
        <Field label={t("models.options")} error={optionsError ?? fieldError(error, "strategy_options")} hint={t("models.optionsHint")}>
          {(id, d) => (
            <textarea id={id} aria-describedby={d} value={options} onChange={(e) => setOptions(e.target.value)} spellCheck={false} />
          )}
        </Field>
        <SelectField
          label={t("models.affinity")}
          value={affinity}
          onChange={setAffinity}
          none={t("models.affinityDefault")}
          options={AFFINITY}
          hint={t("models.affinityHint")}
          error={fieldError(error, "affinity")}
        />
        <Field
          label={t("models.cacheTtl")}
          type="number"
          min={1}
          step={1}
          value={cacheTtl}
          placeholder={t("models.cacheOff")}
          onChange={(e) => setCacheTtl(e.target.value)}
          error={fieldError(error, "cache_ttl_s")}
          hint={t("models.cacheTtlHint")}
        />
        <CheckField label={t("models.cacheShared")} checked={cacheShared} onChange={setCacheShared} />
        <CheckField label={t("common.enabled")} checked={enabled} onChange={setEnabled} />
        <CheckField label={t("models.cacheBreakpoints")} checked={breakpoints} onChange={setBreakpoints} />
        <CheckField label={t("models.streamContinuation")} checked={continuation} onChange={setContinuation} />
        <p className="small muted">{t("models.streamContinuationHint")}</p>
        {error && !fieldError(error, "strategy", "strategy_options", "name", "description", "affinity", "cache_ttl_s") ? (
          <ErrorAlert error={error} />
        ) : null}
        <div className="actions">
          {saved && (
            <span className="small muted" role="status">
              {t("common.saved")}
            </span>
          )}
          <button type="submit" className="primary">
            {t("common.save")}
          </button>
        </div>
      </form>
    </Card>
  );
}

export function ModelDetail(props: { model: ModelOut; providers: ProviderOut[]; reload(): Promise<void> }) {
  const { t, locale } = useI18n();
  const m = props.model;
  const [editing, setEditing] = useState<LinkOut | "new">();
  const [error, setError] = useState<unknown>();
  const unlinked = props.providers.filter((p) => !m.providers.some((l) => l.provider_id === p.id));
  const run = async (fn: () => Promise<unknown>) => {
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
        title={m.name}
        subtitle={`${m.llm_type} · ${m.strategy}`}
        actions={
          <>
            <Link to="/models">← {t("models.back")}</Link>
            <ConfirmButton
              className="danger"
              label={t("common.delete")}
              confirm={t("models.confirmDelete", { name: m.name })}
              onConfirm={async () => {
                try {
                  await api("DELETE", `/v1/db/models/${m.id}`);
                  await props.reload();
                  navigate("/models");
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
        <Card
          title={t("models.linked")}
          actions={<AddButton small label={t("models.link")} disabled={unlinked.length === 0} onClick={() => setEditing("new")} />}
        >
          <DataTable
            rows={m.providers}
            rowKey={(l) => l.provider_id}
            empty={<Empty title={t("models.noLinks")} hint={t("models.noLinksHint")} />}
            columns={[
              {
                header: t("models.provider"),
                cell: (l) => (
                  <>
                    <Link to={`/providers/${l.provider_id}`}>{l.provider_name}</Link>{" "}
                    {!l.is_enabled && <Badge>{t("common.disabled")}</Badge>}
                  </>
                ),
              },
              { header: t("models.upstreamModel"), className: "mono small", cell: (l) => l.upstream_model ?? m.name },
              { header: t("models.weight"), num: true, cell: (l) => fmtNum(locale, l.weight, 3) },
              { header: t("models.priority"), num: true, cell: (l) => l.priority },
              { header: t("models.preferred"), cell: (l) => (l.is_preferred ? <Badge tone="brand">{t("common.yes")}</Badge> : "–") },
              { header: t("models.price"), className: "small nowrap", cell: (l) => linkPrice(l, m.llm_type, t) },
              { header: t("models.healthCheck"), cell: (l) => (l.health_check ? t("models.probed") : t("models.shielded")) },
              {
                header: t("common.actions"),
                hiddenHeader: true,
                cell: (l) => (
                  <div className="row-actions">
                    <button type="button" className="small" onClick={() => setEditing(l)}>
                      {t("common.edit")}
                    </button>
                    <ConfirmButton
                      label={t("models.unlink")}
                      confirm={t("common.sure")}
                      onConfirm={() => run(() => api("DELETE", `/v1/db/models/${m.id}/providers/${l.provider_id}`))}
                    />
                  </div>
                ),
              },
            ]}
          />
          <p className="small muted" style={{ marginBottom: 0 }}>
            {t("models.priceUnit")}
          </p>
        </Card>
        <div className="grid grid-2">
          <StrategyCard key={`${m.id}-${m.updated_at}`} model={m} reload={props.reload} />
          <Card title={t("nav.playground")}>
            <Playground model={m.name} compact />
          </Card>
        </div>
      </div>
      {editing && (
        <LinkForm
          model={m}
          link={editing === "new" ? undefined : editing}
          providers={editing === "new" ? unlinked : props.providers}
          onClose={() => setEditing(undefined)}
          onSaved={async () => {
            setEditing(undefined);
            await props.reload();
          }}
        />
      )}
    </>
  );
}
