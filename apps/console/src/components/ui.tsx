import { useEffect, useId, useRef, useState } from "react";
import { ApiError } from "../api/client.js";
import type { MessageKey } from "../i18n/en.js";
import { useI18n } from "../i18n/index.js";

export function Card(props: { title?: React.ReactNode; actions?: React.ReactNode; children: React.ReactNode; className?: string }) {
  return (
    <section className={`card ${props.className ?? ""}`}>
      {(props.title || props.actions) && (
        <div className="card-head">
          {props.title ? <h2>{props.title}</h2> : <span />}
          {props.actions && <div className="row">{props.actions}</div>}
        </div>
      )}
      {props.children}
    </section>
  );
}

export function PageHead(props: { title: string; subtitle?: string; actions?: React.ReactNode }) {
  return (
    <header className="page-head">
      <div>
        <h1>{props.title}</h1>
        {props.subtitle && <p>{props.subtitle}</p>}
      </div>
      {props.actions && <div className="row">{props.actions}</div>}
    </header>
  );
}

export function Stat(props: { label: string; value: React.ReactNode; sub?: React.ReactNode }) {
  return (
    <div className="card stat">
      <div className="label">{props.label}</div>
      <div className="value">{props.value}</div>
      {props.sub !== undefined && <div className="sub">{props.sub}</div>}
    </div>
  );
}

export function Badge(props: { tone?: "ok" | "warn" | "bad" | "brand"; children: React.ReactNode; dot?: boolean }) {
  return (
    <span className={`badge ${props.tone ?? ""}`}>
      {props.dot && <i className="dot" />}
      {props.children}
    </span>
  );
}

export function Empty(props: { title: string; hint?: string; action?: React.ReactNode }) {
  return (
    <div className="empty" role="status">
      <div className="empty-title">{props.title}</div>
      {props.hint && <div>{props.hint}</div>}
      {props.action && <div className="actions">{props.action}</div>}
    </div>
  );
}

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

/** The API's message for one field (its `param`), shown next to that field. */
export function fieldError(error: unknown, ...fields: string[]): string | undefined {
  if (error instanceof ApiError && error.param) {
    const p = error.param;
    if (fields.some((f) => p === f || p.startsWith(`${f}.`))) return error.message;
  }
  return undefined;
}

type InputProps = Omit<React.InputHTMLAttributes<HTMLInputElement>, "children">;
export function Field(
  props: {
    label: string;
    hint?: string;
    error?: string | undefined;
    className?: string;
    children?: (id: string, describedBy: string | undefined) => React.ReactNode;
  } & InputProps,
) {
  const { label, hint, error, className, children, ...input } = props;
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field ${error ? "invalid" : ""} ${className ?? ""}`}>
      <label htmlFor={id}>{label}</label>
      {children ? (
        children(id, describedBy)
      ) : (
        <input id={id} aria-describedby={describedBy} aria-invalid={error ? true : undefined} {...input} />
      )}
      {hint && (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      )}
      {error && (
        <span className="error" id={errId} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

export function Modal(props: { title: string; onClose(): void; children: React.ReactNode; footer?: React.ReactNode }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>("input, select, textarea, button:not(.close)");
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") props.onClose();
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      prev?.focus?.();
    };
  }, [props.onClose]);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click outside closes the dialog; Escape does the same from the keyboard
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={ref}>
        <div className="modal-head">
          <h2 id={titleId}>{props.title}</h2>
          <button type="button" className="ghost close" aria-label={t("common.close")} onClick={props.onClose}>
            ✕
          </button>
        </div>
        <div className="modal-body">{props.children}</div>
        {props.footer && <div className="modal-foot">{props.footer}</div>}
      </div>
    </div>
  );
}

/** A confirm step inside the page (no window.confirm: it is translated and testable). */
export function ConfirmButton(props: { label: string; confirm: string; onConfirm(): void | Promise<void>; className?: string }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className={props.className ?? "danger small"} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  return (
    <span className="row">
      <span className="small">{props.confirm}</span>
      <button
        type="button"
        className="danger small"
        onClick={async () => {
          setAsking(false);
          await props.onConfirm();
        }}
      >
        {t("common.yes")}
      </button>
      <button type="button" className="small" onClick={() => setAsking(false)}>
        {t("common.cancel")}
      </button>
    </span>
  );
}

export function CopyButton(props: { text: string }) {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="small"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(props.text);
        } catch {
          // clipboard refused (no https): the text is selectable beside the button
        }
        setDone(true);
        setTimeout(() => setDone(false), 1500);
      }}
    >
      {done ? t("common.copied") : t("common.copy")}
    </button>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <div className="empty" aria-busy="true">
      {t("common.loading")}
    </div>
  );
}
