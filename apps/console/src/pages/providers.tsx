import { useCallback, useEffect, useState } from "react";
import { api } from "../api/client.js";
import type { ProviderKeyOut, ProviderOut, ProviderTestOut } from "../api/types.js";
import { Badge, Card, ConfirmButton, Empty, ErrorAlert, Field, fieldError, Loading, Modal, PageHead } from "../components/ui.js";
import { fmtInt, fmtMs, fmtTime } from "../format.js";
import { useI18n } from "../i18n/index.js";
import { Link, navigate } from "../router.js";

export const ADAPTERS = ["openai", "openai-compatible", "anthropic", "gemini", "volcengine", "mock"] as const;

export function useProviders() {
  const [providers, setProviders] = useState<ProviderOut[]>();
  const [error, setError] = useState<unknown>();
  const reload = useCallback(async () => {
    try {
      setProviders((await api<{ providers: ProviderOut[] }>("GET", "/v1/db/providers")).providers);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { providers, error, reload };
}

export function ProvidersPage(props: { path: string }) {
  const { t } = useI18n();
  const { providers, error, reload } = useProviders();
  const [creating, setCreating] = useState(false);
  const id = Number(props.path.split("/")[2]);
  if (id) {
    const p = providers?.find((x) => x.id === id);
    if (!providers) return error ? <ErrorAlert error={error} /> : <Loading />;
    if (!p) return <Empty title={t("common.notFound")} action={<Link to="/providers">{t("providers.back")}</Link>} />;
    return <ProviderDetail provider={p} reload={reload} />;
  }
  return (
    <>
      <PageHead
        title={t("providers.title")}
        subtitle={t("providers.subtitle")}
        actions={
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            + {t("providers.add")}
          </button>
        }
      />
      <ErrorAlert error={error} />
      <Card>
        {!providers ? (
          error ? null : (
            <Loading />
          )
        ) : providers.length === 0 ? (
          <Empty
            title={t("providers.empty")}
            hint={t("providers.emptyHint")}
            action={
              <button type="button" className="primary" onClick={() => setCreating(true)}>
                + {t("providers.add")}
              </button>
            }
          />
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t("common.name")}</th>
                  <th>{t("providers.adapter")}</th>
                  <th>{t("providers.baseUrl")}</th>
                  <th>{t("providers.keys")}</th>
                  <th>{t("common.status")}</th>
                </tr>
              </thead>
              <tbody>
                {providers.map((p) => (
                  <tr key={p.id} className="clickable" onClick={() => navigate(`/providers/${p.id}`)}>
                    <td>
                      <Link to={`/providers/${p.id}`}>
                        <strong>{p.name}</strong>
                      </Link>
                    </td>
                    <td>
                      <Badge tone="brand">{p.adapter}</Badge>
                    </td>
                    <td className="mono small">{p.base_url ?? "–"}</td>
                    <td>{t("providers.keyCount", { n: p.api_keys.filter((k) => k.is_enabled).length, total: p.api_keys.length })}</td>
                    <td>{p.is_enabled ? <Badge tone="ok">{t("common.enabled")}</Badge> : <Badge>{t("common.disabled")}</Badge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {creating && (
        <ProviderForm
          onClose={() => setCreating(false)}
          onSaved={async (id) => {
            setCreating(false);
            await reload();
            navigate(`/providers/${id}`);
          }}
        />
      )}
    </>
  );
}

/** Scheme, host and port of an endpoint ("" when none or not a URL). */
const originOf = (url: string | null | undefined) => {
  try {
    return url ? new URL(url).origin : "";
  } catch {
    return "";
  }
};

function ProviderForm(props: { provider?: ProviderOut; onClose(): void; onSaved(id: number): void }) {
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
  const [error, setError] = useState<unknown>();
  // The stored key (and headers) only go to another host when entered again or explicitly sent there.
  const hostMoves =
    p !== undefined &&
    originOf(baseUrl.trim()) !== "" &&
    originOf(baseUrl.trim()) !== originOf(p.official_endpoint ?? p.third_party_endpoint);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body: Record<string, unknown> = {
      name: name.trim(),
      adapter,
      description: description.trim() || null,
      is_enabled: enabled,
      timeout_ms: Number(timeout),
    };
    if (baseUrl.trim()) body.base_url = baseUrl.trim();
    try {
      if (p) {
        if (!baseUrl.trim()) body.official_endpoint = null;
        if (hostMoves && apiKey.trim()) body.api_key = apiKey.trim();
        if (hostMoves && confirmHost) body.confirm_new_host = true;
        await api("PUT", `/v1/db/providers/${p.id}`, { body });
        props.onSaved(p.id);
      } else {
        if (apiKey.trim()) body.api_key = apiKey.trim();
        const r = await api<{ provider_id: number }>("POST", "/v1/db/providers", { body });
        props.onSaved(r.provider_id);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={p ? t("providers.edit") : t("providers.add")} onClose={props.onClose}>
      <form className="stack" onSubmit={submit}>
        <ErrorAlert error={error} />
        <div className="form-grid">
          <Field
            label={t("common.name")}
            value={name}
            required
            onChange={(e) => setName(e.target.value)}
            error={fieldError(error, "name")}
            hint={t("providers.nameHint")}
          />
          <Field label={t("providers.adapter")} error={fieldError(error, "adapter")}>
            {(id, d) => (
              <select id={id} aria-describedby={d} value={adapter} onChange={(e) => setAdapter(e.target.value)}>
                {ADAPTERS.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            className="span-2"
            label={t("providers.baseUrl")}
            value={baseUrl}
            placeholder="https://api.example.com/v1"
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
            <label className="check span-2">
              <input type="checkbox" checked={confirmHost} onChange={(e) => setConfirmHost(e.target.checked)} />
              {t("providers.confirmNewHost")}
            </label>
          )}
          <Field
            label={t("providers.timeout")}
            type="number"
            min={1}
            value={timeout}
            onChange={(e) => setTimeoutMs(e.target.value)}
            error={fieldError(error, "timeout_ms")}
          />
          <div className="field">
            <span className="label">{t("common.status")}</span>
            <label className="check">
              <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
              {t("common.enabled")}
            </label>
          </div>
          <Field
            className="span-2"
            label={t("common.description")}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            error={fieldError(error, "description")}
          />
        </div>
        <div className="actions">
          <button type="button" onClick={props.onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {p ? t("common.save") : t("common.create")}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function ProviderDetail(props: { provider: ProviderOut; reload(): Promise<void> }) {
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
        {test && test !== "running" && (
          <div className={`alert ${test.ok ? "ok" : "error"}`} role="status">
            <strong>{test.ok ? t("providers.testOk", { ms: fmtMs(test.latency_ms) }) : t("providers.testFailed")}</strong>
            <span className="detail">
              {test.request ?? t("providers.testLocal")}
              {test.status !== null ? ` → HTTP ${test.status}` : ""}
              {test.error ? ` · ${test.error}` : ""}
            </span>
          </div>
        )}
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
              <dd>{p.is_enabled ? <Badge tone="ok">{t("common.enabled")}</Badge> : <Badge>{t("common.disabled")}</Badge>}</dd>
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
  return (
    <Card
      title={t("providers.keys")}
      actions={
        <button type="button" className="small" onClick={() => setAdding(true)}>
          + {t("providers.addKey")}
        </button>
      }
    >
      {p.api_keys.length === 0 ? (
        <Empty title={t("providers.noKeys")} hint={t("providers.noKeysHint")} />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t("providers.key")}</th>
                <th>{t("common.status")}</th>
                <th>{t("providers.rotated")}</th>
                <th>
                  <span className="sr-only">{t("common.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.api_keys.map((k) => (
                <tr key={k.id}>
                  <td>
                    <code>{k.masked}</code>
                    {k.name && <div className="small muted">{k.name}</div>}
                  </td>
                  <td>{k.is_enabled ? <Badge tone="ok">{t("common.enabled")}</Badge> : <Badge>{t("common.disabled")}</Badge>}</td>
                  <td className="small">{k.rotated_at ? fmtTime(locale, k.rotated_at) : "–"}</td>
                  <td>
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
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(adding || rotating) && (
        <KeyForm
          title={rotating ? t("providers.rotateTitle", { key: rotating.masked }) : t("providers.addKey")}
          withName={!rotating}
          onClose={() => {
            setAdding(false);
            setRotating(undefined);
          }}
          onSubmit={async (apiKey, name) => {
            if (rotating) await api("POST", `${base}/${rotating.id}/rotate`, { body: { api_key: apiKey } });
            else await api("POST", base, { body: { api_key: apiKey, ...(name ? { name } : {}) } });
            setAdding(false);
            setRotating(undefined);
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
  const [error, setError] = useState<unknown>();
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await props.onSubmit(apiKey.trim(), name.trim());
          } catch (err) {
            setError(err);
          }
        }}
      >
        <ErrorAlert error={error} />
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
        <div className="actions">
          <button type="button" onClick={props.onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={!apiKey.trim()}>
            {t("common.save")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
