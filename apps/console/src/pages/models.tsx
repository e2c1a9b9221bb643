import { useCallback, useEffect, useState } from "react";
import { api } from "../api/client.js";
import type { LinkOut, ModelOut, ProviderOut } from "../api/types.js";
import { Badge, Card, ConfirmButton, Empty, ErrorAlert, Field, fieldError, Loading, Modal, PageHead } from "../components/ui.js";
import { fmtNum } from "../format.js";
import { useI18n } from "../i18n/index.js";
import { Link, navigate } from "../router.js";
import { Playground } from "./playground.js";
import { useProviders } from "./providers.js";

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

export function useModels() {
  const [models, setModels] = useState<ModelOut[]>();
  const [error, setError] = useState<unknown>();
  const reload = useCallback(async () => {
    try {
      setModels((await api<{ models: ModelOut[] }>("GET", "/v1/db/models")).models);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { models, error, reload };
}

const price = (l: LinkOut) => (l.price ? `$${l.price.input_per_mtok} / $${l.price.output_per_mtok}` : "–");

export function ModelsPage(props: { path: string }) {
  const { t } = useI18n();
  const { models, error, reload } = useModels();
  const { providers } = useProviders();
  const [creating, setCreating] = useState(false);
  const id = Number(props.path.split("/")[2]);
  if (id) {
    if (!models) return error ? <ErrorAlert error={error} /> : <Loading />;
    const m = models.find((x) => x.id === id);
    if (!m) return <Empty title={t("common.notFound")} action={<Link to="/models">{t("models.back")}</Link>} />;
    return <ModelDetail model={m} providers={providers ?? []} reload={reload} />;
  }
  return (
    <>
      <PageHead
        title={t("models.title")}
        subtitle={t("models.subtitle")}
        actions={
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            + {t("models.add")}
          </button>
        }
      />
      <ErrorAlert error={error} />
      <Card>
        {!models ? (
          error ? null : (
            <Loading />
          )
        ) : models.length === 0 ? (
          <Empty
            title={t("models.empty")}
            hint={providers?.length === 0 ? t("models.emptyNoProviders") : t("models.emptyHint")}
            action={
              <button type="button" className="primary" onClick={() => setCreating(true)}>
                + {t("models.add")}
              </button>
            }
          />
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t("common.name")}</th>
                  <th>{t("models.type")}</th>
                  <th>{t("models.strategy")}</th>
                  <th>{t("models.providers")}</th>
                  <th>{t("common.status")}</th>
                </tr>
              </thead>
              <tbody>
                {models.map((m) => (
                  <tr key={m.id} className="clickable" onClick={() => navigate(`/models/${m.id}`)}>
                    <td>
                      <Link to={`/models/${m.id}`}>
                        <strong>{m.name}</strong>
                      </Link>
                    </td>
                    <td>{m.llm_type}</td>
                    <td className="mono small">{m.strategy}</td>
                    <td>
                      <div className="row" style={{ gap: 4 }}>
                        {m.providers.length === 0 ? (
                          <span className="muted">{t("models.noLinks")}</span>
                        ) : (
                          m.providers.map((l) => <Badge key={l.provider_id}>{l.provider_name}</Badge>)
                        )}
                      </div>
                    </td>
                    <td>{m.is_enabled ? <Badge tone="ok">{t("common.enabled")}</Badge> : <Badge>{t("common.disabled")}</Badge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {creating && (
        <ModelCreateForm
          providers={providers ?? []}
          onClose={() => setCreating(false)}
          onSaved={async (newId) => {
            setCreating(false);
            await reload();
            navigate(`/models/${newId}`);
          }}
        />
      )}
    </>
  );
}

function ModelCreateForm(props: { providers: ProviderOut[]; onClose(): void; onSaved(id: number): void }) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [llmType, setLlmType] = useState("chat");
  const [strategy, setStrategy] = useState("weighted_round_robin");
  // Until the operator picks one, the first provider (the list may arrive after the dialog opened).
  const [picked, setProviderId] = useState<string>();
  const providerId = picked ?? (props.providers[0] ? String(props.providers[0].id) : "");
  const [upstream, setUpstream] = useState("");
  const [weight, setWeight] = useState("10");
  const [error, setError] = useState<unknown>();
  return (
    <Modal title={t("models.add")} onClose={props.onClose}>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          try {
            const body: Record<string, unknown> = { name: name.trim(), llm_type: llmType, strategy };
            if (providerId) {
              body.provider_id = Number(providerId);
              body.provider_weight = Number(weight);
              if (upstream.trim()) body.upstream_model = upstream.trim();
            }
            const r = await api<{ id: number }>("POST", "/v1/db/models", { body });
            props.onSaved(r.id);
          } catch (err) {
            setError(err);
          }
        }}
      >
        <ErrorAlert error={error} />
        <div className="form-grid">
          <Field
            label={t("common.name")}
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={fieldError(error, "name")}
            hint={t("models.nameHint")}
          />
          <Field label={t("models.type")} error={fieldError(error, "llm_type")}>
            {(id) => (
              <select id={id} value={llmType} onChange={(e) => setLlmType(e.target.value)}>
                <option value="chat">chat</option>
                <option value="embedding">embedding</option>
                <option value="image">image</option>
              </select>
            )}
          </Field>
          <Field label={t("models.strategy")} className="span-2" error={fieldError(error, "strategy")}>
            {(id, d) => (
              <select id={id} aria-describedby={d} value={strategy} onChange={(e) => setStrategy(e.target.value)}>
                {STRATEGIES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t("models.firstProvider")} error={fieldError(error, "provider_id")}>
            {(id) => (
              <select id={id} value={providerId} onChange={(e) => setProviderId(e.target.value)}>
                <option value="">{t("models.noProvider")}</option>
                {props.providers.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
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
        <div className="actions">
          <button type="button" onClick={props.onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary">
            {t("common.create")}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function StrategyCard(props: { model: ModelOut; reload(): Promise<void> }) {
  const { t } = useI18n();
  const m = props.model;
  const [name, setName] = useState(m.name);
  const [description, setDescription] = useState(m.description ?? "");
  const [strategy, setStrategy] = useState(m.strategy);
  const [options, setOptions] = useState(JSON.stringify(m.strategy_options, null, 2));
  const [enabled, setEnabled] = useState(m.is_enabled);
  const [error, setError] = useState<unknown>();
  const [optionsError, setOptionsError] = useState<string>();
  const [saved, setSaved] = useState(false);
  return (
    <Card title={t("models.routing")}>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          setOptionsError(undefined);
          setSaved(false);
          let parsed: unknown;
          try {
            parsed = JSON.parse(options || "{}");
          } catch {
            setOptionsError(t("models.optionsJson"));
            return;
          }
          try {
            await api("PUT", `/v1/db/models/${m.id}`, {
              body: { name: name.trim(), description: description.trim() || null, strategy, strategy_options: parsed, is_enabled: enabled },
            });
            setSaved(true);
            await props.reload();
          } catch (err) {
            setError(err);
          }
        }}
      >
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
        <Field label={t("models.strategy")} error={fieldError(error, "strategy")}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={strategy} onChange={(e) => setStrategy(e.target.value)}>
              {[...new Set([...STRATEGIES, m.strategy])].map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("models.options")} error={optionsError ?? fieldError(error, "strategy_options")} hint={t("models.optionsHint")}>
          {(id, d) => (
            <textarea id={id} aria-describedby={d} value={options} onChange={(e) => setOptions(e.target.value)} spellCheck={false} />
          )}
        </Field>
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          {t("common.enabled")}
        </label>
        {error && !fieldError(error, "strategy", "strategy_options", "name", "description") ? <ErrorAlert error={error} /> : null}
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

function ModelDetail(props: { model: ModelOut; providers: ProviderOut[]; reload(): Promise<void> }) {
  const { t, locale } = useI18n();
  const m = props.model;
  const [editing, setEditing] = useState<LinkOut | "new">();
  const [error, setError] = useState<unknown>();
  const unlinked = props.providers.filter((p) => !m.providers.some((l) => l.provider_id === p.id));
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
          actions={
            <button type="button" className="small" disabled={unlinked.length === 0} onClick={() => setEditing("new")}>
              + {t("models.link")}
            </button>
          }
        >
          {m.providers.length === 0 ? (
            <Empty title={t("models.noLinks")} hint={t("models.noLinksHint")} />
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>{t("models.provider")}</th>
                    <th>{t("models.upstreamModel")}</th>
                    <th className="num">{t("models.weight")}</th>
                    <th className="num">{t("models.priority")}</th>
                    <th>{t("models.preferred")}</th>
                    <th>{t("models.price")}</th>
                    <th>{t("models.healthCheck")}</th>
                    <th>
                      <span className="sr-only">{t("common.actions")}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {m.providers.map((l) => (
                    <tr key={l.provider_id}>
                      <td>
                        <Link to={`/providers/${l.provider_id}`}>{l.provider_name}</Link>{" "}
                        {!l.is_enabled && <Badge>{t("common.disabled")}</Badge>}
                      </td>
                      <td className="mono small">{l.upstream_model ?? m.name}</td>
                      <td className="num">{fmtNum(locale, l.weight, 3)}</td>
                      <td className="num">{l.priority}</td>
                      <td>{l.is_preferred ? <Badge tone="brand">{t("common.yes")}</Badge> : "–"}</td>
                      <td className="small nowrap">{price(l)}</td>
                      <td>{l.health_check ? t("models.probed") : t("models.shielded")}</td>
                      <td>
                        <div className="row-actions">
                          <button type="button" className="small" onClick={() => setEditing(l)}>
                            {t("common.edit")}
                          </button>
                          <ConfirmButton
                            label={t("models.unlink")}
                            confirm={t("common.sure")}
                            onConfirm={async () => {
                              try {
                                await api("DELETE", `/v1/db/models/${m.id}/providers/${l.provider_id}`);
                                await props.reload();
                              } catch (err) {
                                setError(err);
                              }
                            }}
                          />
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
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

const numOrNull = (s: string) => (s.trim() === "" ? null : Number(s));

function LinkForm(props: { model: ModelOut; link: LinkOut | undefined; providers: ProviderOut[]; onClose(): void; onSaved(): void }) {
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
  const [input, setInput] = useState(l?.price ? String(l.price.input_per_mtok) : "");
  const [output, setOutput] = useState(l?.price ? String(l.price.output_per_mtok) : "");
  const [cached, setCached] = useState(l?.price?.cached_input_per_mtok !== undefined ? String(l.price.cached_input_per_mtok) : "");
  const [error, setError] = useState<unknown>();
  return (
    <Modal title={l ? t("models.editLink", { provider: l.provider_name }) : t("models.link")} onClose={props.onClose}>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          const inP = numOrNull(input);
          const outP = numOrNull(output);
          const cachedP = numOrNull(cached);
          const body: Record<string, unknown> = {
            upstream_model: upstream.trim() || null,
            weight: Number(weight),
            priority: Number(priority),
            is_preferred: preferred,
            health_check: healthCheck,
            is_enabled: enabled,
            price:
              inP === null && outP === null
                ? null
                : { input_per_mtok: inP ?? 0, output_per_mtok: outP ?? 0, ...(cachedP !== null ? { cached_input_per_mtok: cachedP } : {}) },
          };
          try {
            if (l) await api("PUT", `/v1/db/models/${props.model.id}/providers/${l.provider_id}`, { body });
            else await api("POST", `/v1/db/models/${props.model.id}/providers`, { body: { provider_id: Number(providerId), ...body } });
            props.onSaved();
          } catch (err) {
            setError(err);
          }
        }}
      >
        <ErrorAlert error={error} />
        <div className="form-grid">
          <Field label={t("models.provider")} error={fieldError(error, "provider_id")}>
            {(id) => (
              <select id={id} value={providerId} disabled={!!l} onChange={(e) => setProviderId(e.target.value)}>
                {(l ? props.providers.filter((p) => p.id === l.provider_id) : props.providers).map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
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
          <Field
            label={t("models.priceIn")}
            type="number"
            step="any"
            min={0}
            value={input}
            onChange={(e) => setInput(e.target.value)}
            error={fieldError(error, "price")}
          />
          <Field label={t("models.priceOut")} type="number" step="any" min={0} value={output} onChange={(e) => setOutput(e.target.value)} />
          <Field
            label={t("models.priceCached")}
            type="number"
            step="any"
            min={0}
            value={cached}
            onChange={(e) => setCached(e.target.value)}
          />
          <div className="field">
            <span className="label">{t("models.options")}</span>
            <label className="check">
              <input type="checkbox" checked={preferred} onChange={(e) => setPreferred(e.target.checked)} />
              {t("models.preferred")}
            </label>
            <label className="check">
              <input type="checkbox" checked={healthCheck} onChange={(e) => setHealthCheck(e.target.checked)} />
              {t("models.healthCheck")}
            </label>
            <label className="check">
              <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
              {t("common.enabled")}
            </label>
          </div>
        </div>
        <div className="actions">
          <button type="button" onClick={props.onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary">
            {t("common.save")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
