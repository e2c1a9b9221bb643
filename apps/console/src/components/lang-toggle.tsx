import { LANG_NAMES, type Lang, useI18n } from "../i18n/index.js";

/** Switches between English and Chinese (the choice is remembered in this browser). */
export function LangToggle() {
  const { lang, setLang, t } = useI18n();
  const next: Lang = lang === "en" ? "zh-CN" : "en";
  return (
    <button type="button" onClick={() => setLang(next)} aria-label={t("lang.switch")} lang={next}>
      {LANG_NAMES[next]}
    </button>
  );
}
