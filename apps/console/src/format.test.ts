import { describe, expect, it } from "vitest";
import { fmtMs, fmtUsd } from "./format.js";

describe("console formats", () => {
  it("durations: one decimal under 10 ms without a trailing .0, whole ms up to 10 s, then seconds", () => {
    expect(fmtMs(2.5)).toBe("2.5 ms");
    expect(fmtMs(1.96)).toBe("2 ms"); // not "2.0 ms" beside another row's "2 ms"
    expect(fmtMs(2)).toBe("2 ms");
    expect(fmtMs(0.04)).toBe("0 ms");
    expect(fmtMs(812.4)).toBe("812 ms");
    expect(fmtMs(12_345)).toBe("12.3 s");
    expect(fmtMs(null)).toBe("–");
  });

  it("money: cents, or three significant digits under a cent", () => {
    expect(fmtUsd("en", 1.5)).toBe("$1.50");
    expect(fmtUsd("en", 0.00181)).toBe("$0.00181");
    expect(fmtUsd("zh-CN", 2)).toBe("$2.00");
  });
});
