import { useEffect, useId, useRef, useState } from "react";
import { useI18n } from "../i18n/index.js";
import { ErrorAlert } from "./error-alert.js";

/** A modal dialog: focus moves in and comes back, Escape or a click outside closes it. */
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

/** A form's submit: clears the last error, runs `action` (once at a time), keeps what it threw for the form to show. */
export function useSubmit(action: () => unknown) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { error, setError, busy, onSubmit };
}

/**
 * A dialog holding one form: the API's error above the fields (each field shows its own through
 * `children(error)`), Cancel and the submit button below.
 */
export function FormDialog(props: {
  title: string;
  submitLabel: string;
  onClose(): void;
  onSubmit(): unknown;
  submitDisabled?: boolean;
  /** Before Cancel (e.g. a delete button); `fail` shows an error in the dialog. */
  extraActions?: (fail: (error: unknown) => void) => React.ReactNode;
  children(error: unknown): React.ReactNode;
}) {
  const { t } = useI18n();
  const { error, setError, busy, onSubmit } = useSubmit(props.onSubmit);
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <form className="stack" onSubmit={onSubmit}>
        <ErrorAlert error={error} />
        {props.children(error)}
        <div className="actions">
          {props.extraActions?.(setError)}
          <button type="button" onClick={props.onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy || props.submitDisabled}>
            {props.submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
