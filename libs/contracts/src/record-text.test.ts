import { describe, expect, it } from "vitest";
import { RECORD_NAME_MAX, recordText, storableText } from "./record-text.js";

/** What Postgres's jsonb refuses: a NUL or a lone surrogate anywhere in the text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
const jsonbRefuses = (s: string) => /\u0000/.test(s) || !isWellFormed(s);
const isWellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

describe("recordText (client-controlled names in usage records)", () => {
  it("keeps ordinary names as they are (the same string, no copy)", () => {
    const name = "gpt-4o-mini";
    expect(recordText(name)).toBe(name);
    expect(recordText("模型-✓-😀")).toBe("模型-✓-😀");
  });

  it("replaces NUL, other C0 controls, DEL and lone surrogates with U+FFFD", () => {
    expect(recordText("x\u0000y")).toBe("x\ufffdy");
    expect(recordText("\ud800")).toBe("\ufffd");
    expect(recordText("a\udc00b\ud83d")).toBe("a\ufffdb\ufffd");
    expect(recordText("line\nbreak\t\u007f")).toBe("line\ufffdbreak\ufffd\ufffd");
  });

  it("cuts long names to the bound, never leaving half a surrogate pair", () => {
    const long = "m".repeat(1_200_000);
    expect(recordText(long)).toHaveLength(RECORD_NAME_MAX);
    const pairAtCut = `${"a".repeat(RECORD_NAME_MAX - 1)}😀tail`;
    const cut = recordText(pairAtCut);
    expect(cut).toHaveLength(RECORD_NAME_MAX);
    expect(cut.endsWith("\ufffd")).toBe(true);
    expect(jsonbRefuses(cut)).toBe(false);
  });

  it("storableText only replaces what Postgres refuses and cuts nothing", () => {
    expect(storableText("a\nb")).toBe("a\nb");
    expect(storableText(`x\u0000${"y".repeat(1000)}\udfff`)).toBe(`x\ufffd${"y".repeat(1000)}\ufffd`);
  });

  it("every string of random code units comes out storable and bounded", () => {
    for (let n = 0; n < 2_000; n++) {
      const len = Math.floor(Math.random() * 600);
      let s = "";
      for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(Math.random() * 0x10000));
      const r = recordText(s);
      expect(r.length).toBeLessThanOrEqual(RECORD_NAME_MAX);
      expect(jsonbRefuses(r)).toBe(false);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
      expect(/[\u0000-\u001f\u007f]/.test(r)).toBe(false);
      expect(jsonbRefuses(storableText(s))).toBe(false);
    }
  });
});
