import { useI18n } from "../i18n/index.js";

/** A row of filter fields that apply together (Enter in any field, or the Apply button). */
export function FilterBar(props: { onApply(): void; children: React.ReactNode }) {
  const { t } = useI18n();
  return (
    <form
      className="grid filter-bar"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply();
      }}
    >
      {props.children}
      <button type="submit" className="primary">
        {t("common.apply")}
      </button>
    </form>
  );
}
