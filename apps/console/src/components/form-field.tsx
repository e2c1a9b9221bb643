import { useId } from "react";
import { ApiError } from "../api/client.js";

/** The API's message for one field (its `param`), shown next to that field. */
export function fieldError(error: unknown, ...fields: string[]): string | undefined {
  if (error instanceof ApiError && error.param) {
    const p = error.param;
    if (fields.some((f) => p === f || p.startsWith(`${f}.`))) return error.message;
  }
  return undefined;
}

type InputProps = Omit<React.InputHTMLAttributes<HTMLInputElement>, "children">;

/** A labelled input with its hint and error, tied together for screen readers; `children` swaps the input for another control. */
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

/** An option shown as its own value (an API identifier such as a strategy name) or with a translated label. */
export type Choice = string | { value: string; label: string };

/** A labelled select; `none` adds a first option with the empty value ("Any", "None for now"). */
export function SelectField(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  options: readonly Choice[];
  none?: string;
  hint?: string;
  error?: string | undefined;
  className?: string;
  disabled?: boolean;
}) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error} className={props.className}>
      {(id, describedBy) => (
        <select
          id={id}
          aria-describedby={describedBy}
          value={props.value}
          disabled={props.disabled}
          onChange={(e) => props.onChange(e.target.value)}
        >
          {props.none !== undefined && <option value="">{props.none}</option>}
          {props.options.map((o) =>
            typeof o === "string" ? (
              <option key={o} value={o}>
                {o}
              </option>
            ) : (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ),
          )}
        </select>
      )}
    </Field>
  );
}

/** A checkbox with its label beside it. */
export function CheckField(props: { label: string; checked: boolean; onChange(checked: boolean): void }) {
  return (
    <label className="check">
      <input type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} />
      {props.label}
    </label>
  );
}

/** Several checkboxes under one label (a form-grid cell). */
export function CheckGroup(props: { label: string; children: React.ReactNode }) {
  return (
    <div className="field">
      <span className="label">{props.label}</span>
      {props.children}
    </div>
  );
}
