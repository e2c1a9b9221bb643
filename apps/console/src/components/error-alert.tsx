import { ApiError } from "../api/client.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/index.js";

const codeMessages: Record<string, MessageKey> = {
  conflict: "error.conflict",
  not_found: "error.notFound",
  invalid_request: "error.invalid",
  invalid_json: "error.invalid",
  missing_admin_token: "error.unauthorized",
  invalid_admin_token: "error.unauthorized",
  too_many_failed_logins: "error.tooManyLogins",
  network_error: "error.network",
  proxy_not_configured: "error.noProxy",
  proxy_unreachable: "error.network",
  control_plane_unreachable: "error.network",
};

/** An API error where it happened: a headline in the operator's language, the API's own words below. */
export function ErrorAlert(props: { error: unknown }) {
  const { t } = useI18n();
  if (!props.error) return null;
  const e = props.error;
  let headline = t("error.generic");
  let detail = String((e as Error)?.message ?? e);
  if (e instanceof ApiError) {
    const key = (e.code && codeMessages[e.code]) || (e.status === 404 ? "error.unavailable" : e.status >= 500 ? "error.server" : undefined);
    if (key) headline = t(key);
    detail = e.message;
  }
  return (
    <div className="alert error" role="alert">
      <strong>{headline}</strong>
      <span className="detail">{detail}</span>
    </div>
  );
}
