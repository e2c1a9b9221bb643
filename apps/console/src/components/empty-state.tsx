import { useI18n } from "../i18n/index.js";

/** What a list or page shows when it has nothing: a title, a hint, and maybe the action that fills it. */
export function Empty(props: { title: string; hint?: string; action?: React.ReactNode }) {
  return (
    <div className="empty" role="status">
      <div className="empty-title">{props.title}</div>
      {props.hint && <div>{props.hint}</div>}
      {props.action && <div className="actions">{props.action}</div>}
    </div>
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
