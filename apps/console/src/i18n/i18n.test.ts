import { describe, expect, it } from "vitest";
import { en } from "./en.js";
import { enAdmin } from "./en-admin.js";
import { enOffline } from "./en-offline.js";
import { enTraffic } from "./en-traffic.js";
import { zh } from "./zh.js";
import { zhAdmin } from "./zh-admin.js";
import { zhOffline } from "./zh-offline.js";
import { zhTraffic } from "./zh-traffic.js";

/** The catalogues in parts (one file per area, each under 300 lines), English beside Chinese. */
const parts: [string, Record<string, string>, Record<string, string>][] = [
  ["admin", enAdmin, zhAdmin],
  ["traffic", enTraffic, zhTraffic],
  ["offline", enOffline, zhOffline],
];

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

  it("both languages have exactly the same keys, part by part, and no key is defined in two parts", () => {
    for (const [name, enPart, zhPart] of parts) {
      const missing = Object.keys(enPart).filter((k) => !(k in zhPart));
      const extra = Object.keys(zhPart).filter((k) => !(k in enPart));
      expect({ missing, extra }, name).toEqual({ missing: [], extra: [] });
    }
    const all = parts.flatMap(([, enPart]) => Object.keys(enPart));
    expect(all.filter((k, i) => all.indexOf(k) !== i)).toEqual([]);
    expect(all.sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });

  it("Chinese strings are Chinese: every one with an English word in English has CJK characters", () => {
    const untranslated = Object.entries(en)
      .filter(([, v]) => /[a-z]{3,}/i.test(v.replace(/\{\w+\}/g, "")))
      .filter(([k]) => !/[\u4e00-\u9fff]/.test(zh[k as keyof typeof en]))
      .map(([k]) => k);
    expect(untranslated).toEqual([]);
  });

  it("Chinese strings use Chinese punctuation: no ASCII , : ; ? ! ( ) beside a Chinese character", () => {
    const ascii = /[\u4e00-\u9fff][,:;?!()]|[,:;?!()][\u4e00-\u9fff]/;
    expect(Object.entries(zh).filter(([, v]) => ascii.test(v.replace(/\{\w+\}/g, "字")))).toEqual([]);
  });
});
