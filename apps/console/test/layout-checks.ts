import type { Page } from "playwright-core";

/** A line of a table cell that ends inside a word or an id (`ftjob-` then `R1I7…` on the next line). */
export interface CutText {
  /** The whole text of the block that was broken. */
  text: string;
  /** The line that ends on a fragment. */
  line: string;
}

/**
 * Every table cell line on the page that ends in the middle of a Latin word or an identifier: a break
 * between two of `A-Z a-z 0-9 _ . -` (a break between Chinese characters, after a space, `:` or `/` is
 * fine), and every cell whose text is clipped (hidden overflow). Lines are read from where the browser
 * put each character, so this sees what a user sees, whatever markup or CSS produced it.
 */
export function cutText(page: Page): Promise<CutText[]> {
  return page.evaluate(() => {
    const word = /[A-Za-z0-9_.-]/;
    const found: { text: string; line: string }[] = [];
    for (const cell of document.querySelectorAll("td")) {
      // Characters grouped by their block (two divs in one cell are two blocks: no break between them).
      const blocks = new Map<Element, { ch: string; top: number; height: number }[]>();
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        let block = node.parentElement as Element;
        while (block !== cell && getComputedStyle(block).display.startsWith("inline")) block = block.parentElement as Element;
        const chars = blocks.get(block) ?? [];
        blocks.set(block, chars);
        const text = node.textContent ?? "";
        const range = document.createRange();
        for (let i = 0; i < text.length; i++) {
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const r = range.getClientRects()[0];
          if (r && r.width > 0) chars.push({ ch: text[i] as string, top: r.top, height: r.height });
        }
      }
      for (const chars of blocks.values()) {
        let line = "";
        for (let i = 0; i < chars.length; i++) {
          const c = chars[i] as { ch: string; top: number; height: number };
          const prev = chars[i - 1];
          if (prev && c.top - prev.top > prev.height / 2) {
            if (word.test(prev.ch) && word.test(c.ch)) found.push({ text: chars.map((x) => x.ch).join(""), line });
            line = "";
          }
          line += c.ch;
        }
      }
      for (const el of [cell, ...cell.querySelectorAll("*")]) {
        const style = getComputedStyle(el);
        if (style.overflowX !== "visible" && el.scrollWidth > el.clientWidth + 1)
          found.push({ text: el.textContent ?? "", line: "(clipped)" });
      }
    }
    return found;
  });
}

/**
 * Whether the page's font draws these characters (Chinese: the language button, the zh-CN pages), not
 * tofu: with no font for them each is the same empty box, so all draw the same pixels.
 */
export function drawsGlyphs(page: Page, chars: string): Promise<boolean> {
  return page.evaluate((list) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 48;
    const g = canvas.getContext("2d", { willReadFrequently: true }) as CanvasRenderingContext2D;
    g.font = `32px ${getComputedStyle(document.body).fontFamily}`;
    const pixels = (ch: string) => {
      g.clearRect(0, 0, 48, 48);
      g.fillText(ch, 4, 38);
      return g.getImageData(0, 0, 48, 48).data.join(",");
    };
    return new Set(list.map(pixels)).size === list.length;
  }, Array.from(chars));
}

/** The text of screenshot checks' failure when no CJK font is installed. */
export const NO_CJK_FONT =
  "No CJK font: Chinese text (the 中文 language button, the zh-CN pages) would be drawn as empty boxes. " +
  "Install one (apt-get install -y fonts-wqy-microhei) before writing screenshots to docs/console/.";

/** Throws (no screenshot is written) when the page would show Chinese as tofu. */
export async function assertCjkFont(page: Page): Promise<void> {
  if (!(await drawsGlyphs(page, "中文微调"))) throw new Error(NO_CJK_FONT);
}
