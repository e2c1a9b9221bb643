import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const read = (f: string) => readFileSync(join(root, f), "utf8");
const headings = (text: string, level: string) => text.split("\n").filter((l) => l.startsWith(`${level} `)).length;
/** Relative link targets (no scheme, no pure anchors), without their #anchor. */
const links = (text: string) =>
  [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string).filter((l) => !/^[a-z]+:/.test(l) && !l.startsWith("#"));

const pairs: [string, string][] = [
  ["README.md", "README.zh-CN.md"],
  ["docs/control-plane.md", "docs/zh-CN/control-plane.md"],
  ["docs/providers.md", "docs/zh-CN/providers.md"],
  ["docs/console.md", "docs/zh-CN/console.md"],
];

describe("Chinese documentation", () => {
  it("has a Chinese README and docs, linked both ways", () => {
    for (const [en, zh] of pairs) {
      const enText = read(en);
      const zhText = read(zh);
      expect(enText, `${en} links to ${zh}`).toContain(`(${zh.startsWith("docs/") ? "zh-CN/" + zh.split("/").pop() : zh})`);
      expect(zhText, `${zh} links back to ${en}`).toMatch(
        new RegExp(`\\]\\(${en.startsWith("docs/") ? "\\.\\./" + en.split("/").pop() : en}\\)`),
      );
      expect(/[\u4e00-\u9fff]/.test(zhText)).toBe(true);
    }
    expect(existsSync(join(root, "docs/zh-CN/configuration.md"))).toBe(true);
  });

  it("keeps the Chinese README in step with the English one, section for section", () => {
    const en = read("README.md");
    const zh = read("README.zh-CN.md");
    expect(headings(zh, "##")).toBe(headings(en, "##"));
    expect(zh.split("\n").filter((l) => l.startsWith("|")).length).toBe(en.split("\n").filter((l) => l.startsWith("|")).length);
    expect(zh).toMatch(/README\.md 在提交 `[0-9a-f]{7,}`/);
  });

  it("links only to files that exist", () => {
    for (const f of [
      "README.zh-CN.md",
      "docs/zh-CN/configuration.md",
      "docs/zh-CN/control-plane.md",
      "docs/zh-CN/providers.md",
      "docs/zh-CN/console.md",
    ]) {
      for (const l of links(read(f))) {
        const target = resolve(root, dirname(f), l.split("#")[0] as string);
        expect(existsSync(target), `${f} -> ${l}`).toBe(true);
      }
    }
  });
});
