import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { en } from "../src/i18n/en.js";
import { zh } from "../src/i18n/zh.js";

/** Debian's Chromium (`.ci/run` installs the package when it is missing); no browser download. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

/** `env`: added to the browser's environment (`FONTCONFIG_FILE`: the fonts it may draw with). */
export function launchChromium(env: Record<string, string> = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    env: { ...process.env, ...env } as Record<string, string>,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** English UI strings (those that differ in Chinese and hold an English word) visible on the page. */
export async function englishLeft(page: Page): Promise<string[]> {
  const text = await page.locator("body").innerText();
  return Object.entries(en)
    .filter(([k, v]) => v !== zh[k as keyof typeof en] && /[a-z]{3,}/i.test(v))
    .map(([, v]) => v.split(/\{\w+\}/)[0]?.trim() ?? "")
    .filter((v) => v.length >= 4 && text.includes(v));
}
