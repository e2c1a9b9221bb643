import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findUiText, uiTextOutsideCatalogues } from "./ui-text.js";

const texts = (src: string) => findUiText(src).map((u) => u.text);

describe("findUiText", () => {
  it("finds words written in JSX text, visible props, shown expressions and column or series labels", () => {
    const src = `
      export const A = () => (
        <div title="Hello there" aria-label={"Close"}>
          Save changes
          <input placeholder="Search…" alt='logo' />
          {busy ? "Saving" : t("common.save")}
          {count > 1 && "items"}
          {name ?? "nobody"}
          <Card title={\`Targets · \${replica}\`} />
          <DataTable columns={[{ header: "Latency", cell: (r) => r.ms }]} />
          <Chart series={[{ label: "p95", values }]} />
        </div>
      );`;
    expect(texts(src)).toEqual([
      "Hello there",
      "Close",
      "Save changes",
      "Search…",
      "logo",
      "Saving",
      "items",
      "nobody",
      "Targets ·",
      "Latency",
      "p95",
    ]);
  });

  it("accepts message lookups, names from i18n, data, symbols, and strings that are not shown", () => {
    const src = `
      export const B = () => (
        <div className="row small" data-testid="total" title={t("x.title")} aria-label={TERMS.product}>
          {t("common.save")} — {fmtMs(ms)} · {r.model ?? "–"} →
          {lang === "en" ? LANG_NAMES.en : LANG_NAMES["zh-CN"]}
          <Badge tone="ok" dot>{TERMS.nats}</Badge>
          <Card title={\`\${t("health.targets")} · \${r.replica}\`} />
          <Chart series={[{ label: TERMS.p50, values, color: "#4f46e5" }]} />
          {open ? <pre>{JSON.stringify(d)}</pre> : "–"}
        </div>
      );`;
    expect(texts(src)).toEqual([]);
  });

  it("reports where each text is", () => {
    expect(findUiText("const x = 1;\nconst C = () => <p>\n  Hi\n</p>;", "pages/c.tsx")).toEqual([
      { file: "pages/c.tsx", line: 3, text: "Hi" },
    ]);
  });
});

describe("console sources", () => {
  it("write no user-visible text outside the message files (src/i18n/)", () => {
    const src = fileURLToPath(new URL("../src/", import.meta.url));
    expect(uiTextOutsideCatalogues(src)).toEqual([]);
  });
});
