import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchChromium } from "./browser.js";
import { assertCjkFont, drawsGlyphs } from "./layout-checks.js";

/**
 * The check that keeps tofu out of docs/console/*.png: the screenshot runs call `assertCjkFont` before
 * writing a picture. Here it meets Chromium with the machine's fonts and Chromium with one Latin font.
 */
const fcList = (...args: string[]) => {
  try {
    return execFileSync("fc-list", args, { encoding: "utf8" }).split("\n").filter(Boolean);
  } catch {
    return [];
  }
};
/** Whether fontconfig knows a Chinese font (Chromium draws with what it knows). */
const cjkInstalled = fcList(":lang=zh", "family").length > 0;
/** A font file without Chinese, for a browser that has nothing else. */
const latinOnly = (() => {
  const cjk = new Set(fcList(":lang=zh", "-f", "%{file}\n"));
  return fcList(":lang=en", "-f", "%{file}\n").find((f) => !cjk.has(f) && /\.(ttf|otf)$/.test(f));
})();
/** The console's own font stack (styles/base.css `--font`). */
const FONT = /--font:\s*([^;]+);/.exec(readFileSync(new URL("../src/styles/base.css", import.meta.url), "utf8"))?.[1] ?? "sans-serif";

async function pageIn(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.setContent(`<body style='font-family: ${FONT}'><button>中文</button></body>`);
  return page;
}

describe.skipIf(!hasChromium)("screenshots: Chinese drawn, never tofu", () => {
  let browser: Browser;
  let bare: Browser | undefined;
  const dir = mkdtempSync(join(tmpdir(), "console-fonts-"));

  beforeAll(async () => {
    browser = await launchChromium();
    if (latinOnly) {
      copyFileSync(latinOnly, join(dir, basename(latinOnly)));
      const conf = `<?xml version="1.0"?>\n<fontconfig><dir>${dir}</dir><cachedir>${join(dir, "cache")}</cachedir></fontconfig>\n`;
      writeFileSync(join(dir, "fonts.conf"), conf);
      bare = await launchChromium({ FONTCONFIG_FILE: join(dir, "fonts.conf") });
    }
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await bare?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("tells drawn characters from tofu with the machine's fonts", async () => {
    const page = await pageIn(browser);
    // Unassigned code points: no font has them, so they are tofu everywhere.
    expect(await drawsGlyphs(page, "\u{10FFFD}\u{10FFFC}\u{10FFFB}")).toBe(false);
    expect(await drawsGlyphs(page, "AIRouter")).toBe(true);
    expect(await drawsGlyphs(page, "中文微调")).toBe(cjkInstalled);
    await page.close();
  });

  it.skipIf(!latinOnly)("fails loudly, naming the font package, when no CJK font is installed", async () => {
    const page = await pageIn(bare as Browser);
    expect(await drawsGlyphs(page, "AIRouter")).toBe(true);
    await expect(assertCjkFont(page)).rejects.toThrow(/No CJK font.*fonts-wqy-microhei/);
    await page.close();
  });

  it.skipIf(!cjkInstalled)("passes with a CJK font installed (fonts-wqy-microhei)", async () => {
    const page = await pageIn(browser);
    await expect(assertCjkFont(page)).resolves.toBeUndefined();
    await page.close();
  });
});
