import { describe, expect, it } from "vitest";
import { en } from "./en.js";
import { zh } from "./zh.js";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("catalogues", () => {
  it("every key exists in both English and Chinese, non-empty, with the same placeholders", () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(en)) {
      const z = zh[k as keyof typeof en];
      expect(v.trim(), k).not.toBe("");
      expect(z?.trim(), k).not.toBe("");
      expect(placeholders(z ?? ""), k).toEqual(placeholders(v));
    }
  });

  it("Chinese strings are Chinese: every one with an English word in English has CJK characters", () => {
    const untranslated = Object.entries(en)
      .filter(([, v]) => /[a-z]{3,}/i.test(v.replace(/\{\w+\}/g, "")))
      .filter(([k]) => !/[\u4e00-\u9fff]/.test(zh[k as keyof typeof en]))
      .map(([k]) => k);
    expect(untranslated).toEqual([]);
  });
});
