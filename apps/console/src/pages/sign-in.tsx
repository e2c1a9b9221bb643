import { useState } from "react";
import { ApiError, api, setToken } from "../api/client.js";
import { ErrorAlert } from "../components/error-alert.js";
import { Field } from "../components/form-field.js";
import { LangToggle } from "../components/lang-toggle.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/index.js";
import { TERMS } from "../i18n/terms.js";

/** The admin token is kept in sessionStorage (gone with the tab) and sent only as a Bearer header. */
export function SignIn(props: { message?: MessageKey; onSignedIn(): void }) {
  const { t } = useI18n();
  const [token, setTokenInput] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <div className="signin">
      <form
        className="card stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          setToken(token.trim());
          try {
            await api("GET", "/v1/db/audit", { query: { limit: 1 } });
            props.onSignedIn();
          } catch (err) {
            setToken(null);
            setError(err instanceof ApiError && err.status === 401 ? new Error(t("signin.refused")) : err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="row">
          <div className="brand grow">
            <span className="brand-mark" aria-hidden="true" style={{ color: "#fff" }}>
              ▲
            </span>
            {TERMS.product}
          </div>
          <LangToggle />
        </div>
        <div>
          <h1>{t("signin.title")}</h1>
          <p className="muted">{t("signin.subtitle")}</p>
        </div>
        {props.message && !error && (
          <div className="alert info" role="status">
            {t(props.message)}
          </div>
        )}
        {error instanceof Error && !(error instanceof ApiError) ? (
          <div className="alert error" role="alert">
            {error.message}
          </div>
        ) : (
          <ErrorAlert error={error} />
        )}
        <Field
          label={t("signin.token")}
          type="password"
          autoComplete="current-password"
          value={token}
          required
          onChange={(e) => setTokenInput(e.target.value)}
          hint={t("signin.tokenHint")}
        />
        <button type="submit" className="primary" disabled={busy || !token.trim()}>
          {t("signin.submit")}
        </button>
      </form>
    </div>
  );
}
