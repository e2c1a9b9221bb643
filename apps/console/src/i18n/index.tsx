import { createContext, useCallback, useContext, useMemo, useState } from "react";
import { en, type MessageKey } from "./en.js";
import { zh } from "./zh.js";

export type Lang = "en" | "zh-CN";
export const catalogues: Record<Lang, Record<MessageKey, string>> = { en, "zh-CN": zh };
const LANG_KEY = "ai-router.lang";
/** Each language's name in itself: the same whichever language the console shows. */
export const LANG_NAMES: Record<Lang, string> = { en: "English", "zh-CN": "中文" };

/** zh-CN when the browser prefers Chinese (any zh-*), else English; a saved choice wins. */
export function detectLang(languages: readonly string[] = navigator.languages ?? [navigator.language]): Lang {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved === "en" || saved === "zh-CN") return saved;
  } catch {
    // storage unavailable: use the browser's language
  }
  for (const l of languages) {
    const low = l.toLowerCase();
    if (low.startsWith("zh")) return "zh-CN";
    if (low.startsWith("en")) return "en";
  }
  return "en";
}

export type T = (key: MessageKey, vars?: Record<string, string | number>) => string;
export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  let s = catalogues[lang][key] ?? en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

interface I18n {
  lang: Lang;
  setLang(l: Lang): void;
  t: T;
  /** Number and date formatting in the UI language. */
  locale: string;
}
const Ctx = createContext<I18n | null>(null);

export function I18nProvider(props: { children: React.ReactNode; lang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => props.lang ?? detectLang());
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(LANG_KEY, l);
    } catch {
      // not saved: the choice lasts for this page
    }
    document.documentElement.lang = l;
  }, []);
  const value = useMemo<I18n>(() => {
    if (typeof document !== "undefined") document.documentElement.lang = lang;
    return { lang, setLang, t: (k, v) => translate(lang, k, v), locale: lang === "zh-CN" ? "zh-CN" : "en-US" };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{props.children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error("useI18n outside I18nProvider");
  return v;
}
