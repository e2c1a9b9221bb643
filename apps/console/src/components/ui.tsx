import { useState } from "react";
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

/** A figure with its label; `badge`: the value is a status badge (set smaller). */
export function Stat(props: { label: string; value: React.ReactNode; sub?: React.ReactNode; badge?: boolean }) {
  return (
    <div className="card stat">
      <div className="label">{props.label}</div>
      <div className={props.badge ? "value badge-value" : "value"}>{props.value}</div>
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

/** "Enabled" in green or "Disabled" in grey. */
export function EnabledBadge(props: { enabled: boolean }) {
  const { t } = useI18n();
  return props.enabled ? <Badge tone="ok">{t("common.enabled")}</Badge> : <Badge>{t("common.disabled")}</Badge>;
}

/** The "+ Add ..." button of a page head or an empty list. */
export function AddButton(props: { label: string; onClick(): void; small?: boolean; disabled?: boolean }) {
  return (
    <button type="button" className={props.small ? "small" : "primary"} disabled={props.disabled} onClick={props.onClick}>
      + {props.label}
    </button>
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
