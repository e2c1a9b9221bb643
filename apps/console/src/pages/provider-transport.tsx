import { useState } from "react";
import type { ProviderOut } from "../api/types.js";
import { CheckField, CheckGroup, Field, fieldError, SelectField } from "../components/form-field.js";
import { useI18n } from "../i18n/index.js";
import { TERMS } from "../i18n/terms.js";

/** HTTP/2 modes, as the API names them. */
const HTTP2_MODES = ["auto", "on", "off"] as const;
/** An example egress proxy (not a word to translate). */
const PROXY_EXAMPLE = "http://user:password@proxy.example:3128";

/**
 * A provider's connection settings in its form: egress proxy, TLS files, certificate checks, HTTP/2.
 * The stored proxy URL is never shown in clear (it may hold a password): an empty field keeps it.
 */
export function useTransportFields(p: ProviderOut | undefined) {
  const { t } = useI18n();
  const [proxyUrl, setProxyUrl] = useState("");
  const [dropProxy, setDropProxy] = useState(false);
  const [caFile, setCaFile] = useState(p?.ca_file ?? "");
  const [certFile, setCertFile] = useState(p?.cert_file ?? "");
  const [keyFile, setKeyFile] = useState(p?.key_file ?? "");
  const [skipVerify, setSkipVerify] = useState(p?.tls_insecure_skip_verify ?? false);
  const [http2, setHttp2] = useState<string>(p?.http2 ?? "auto");

  /** The fields to send: only what was changed (a new provider: what was set). */
  const body = (): Record<string, unknown> => {
    const b: Record<string, unknown> = {};
    if (proxyUrl.trim()) b.proxy_url = proxyUrl.trim();
    else if (dropProxy) b.proxy_url = null;
    const file = (v: string) => v.trim() || null;
    if (file(caFile) !== (p?.ca_file ?? null)) b.ca_file = file(caFile);
    if (file(certFile) !== (p?.cert_file ?? null)) b.cert_file = file(certFile);
    if (file(keyFile) !== (p?.key_file ?? null)) b.key_file = file(keyFile);
    if (skipVerify !== (p?.tls_insecure_skip_verify ?? false)) b.tls_insecure_skip_verify = skipVerify;
    if (http2 !== (p?.http2 ?? "auto")) b.http2 = http2;
    return b;
  };

  const fields = (error: unknown) => (
    <>
      <Field
        className="span-2"
        label={t("providers.proxyUrl")}
        type="password"
        autoComplete="off"
        value={proxyUrl}
        placeholder={p?.proxy_url ?? PROXY_EXAMPLE}
        onChange={(e) => setProxyUrl(e.target.value)}
        error={fieldError(error, "proxy_url")}
        hint={p?.proxy_url ? t("providers.proxyUrlKeepHint") : t("providers.proxyUrlHint")}
      />
      {p?.proxy_url && (
        <CheckGroup label={t("providers.proxyUrl")}>
          <CheckField label={t("providers.proxyUrlDrop")} checked={dropProxy} onChange={setDropProxy} />
        </CheckGroup>
      )}
      <SelectField
        label={TERMS.http2}
        value={http2}
        onChange={setHttp2}
        options={HTTP2_MODES}
        hint={t("providers.http2Hint")}
        error={fieldError(error, "http2")}
      />
      <Field
        label={t("providers.caFile")}
        value={caFile}
        onChange={(e) => setCaFile(e.target.value)}
        error={fieldError(error, "ca_file")}
        hint={t("providers.caFileHint")}
      />
      <Field
        label={t("providers.certFile")}
        value={certFile}
        onChange={(e) => setCertFile(e.target.value)}
        error={fieldError(error, "cert_file")}
      />
      <Field
        label={t("providers.keyFile")}
        value={keyFile}
        onChange={(e) => setKeyFile(e.target.value)}
        error={fieldError(error, "key_file")}
      />
      <CheckGroup label={t("providers.tls")}>
        <CheckField label={t("providers.skipVerify")} checked={skipVerify} onChange={setSkipVerify} />
      </CheckGroup>
    </>
  );
  return { body, fields };
}
