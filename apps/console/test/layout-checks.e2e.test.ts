import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchChromium } from "./browser.js";
import { cutText } from "./layout-checks.js";

/** `cutText`, the e2e tests' check for ids broken across lines or clipped, on tables made to fail it. */
describe.skipIf(!hasChromium)("cutText", () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  const table = (cell: string) =>
    page.setContent(`<table style="font: 13px monospace"><tr><td style="width: 90px">${cell}</td><td>x</td></tr></table>`);

  it("finds an id broken at its hyphen, and a model name broken inside", async () => {
    await table("<div>ftjob-R1I7AULJ8KTtWWVqrdhKNDqI</div>");
    expect(await cutText(page)).toEqual([{ text: "ftjob-R1I7AULJ8KTtWWVqrdhKNDqI", line: "ftjob-" }]);
    await table('<div style="overflow-wrap: anywhere">gpt-4o-mini-2024-07-18</div>');
    const cuts = await cutText(page);
    expect(cuts.length).toBeGreaterThan(0); // one per line that ends inside it
    expect(new Set(cuts.map((c) => c.text))).toEqual(new Set(["gpt-4o-mini-2024-07-18"]));
  });

  it("finds a clipped cell", async () => {
    await table(
      '<div style="max-width: 60px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis">gpt-4o-mini-2024-07-18</div>',
    );
    expect(await cutText(page)).toEqual([{ text: "gpt-4o-mini-2024-07-18", line: "(clipped)" }]);
  });

  it("accepts breaks after ':' '/' or a space, between Chinese characters, and between two blocks", async () => {
    await table(
      '<div><span style="white-space: nowrap">ft:gpt-4o-mini-2024-07-18:</span><wbr><span style="white-space: nowrap">acme::ftjob-abc</span></div>' +
        "<div>/v1/chat/completions</div><div>2 / 2（失败 1）各客户端密钥的批处理</div><div>team-b</div>",
    );
    expect(await cutText(page)).toEqual([]);
  });
});
