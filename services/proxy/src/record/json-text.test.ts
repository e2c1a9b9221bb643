import { describe, expect, it } from "vitest";
import { amount, IsoClock, num, num2, Quoted, str } from "./json-text.js";

describe("json-text", () => {
  it("num and str write what JSON.stringify writes (NaN and Infinity as null)", () => {
    for (const v of [0, 1, -1, 0.1 + 0.2, 1e-9, 123456789.123, Number.NaN, Number.POSITIVE_INFINITY])
      expect(num(v)).toBe(JSON.stringify(v));
    expect(num(null)).toBe("null");
    expect(num(undefined)).toBe("null");
    for (const v of ["a", 'q"uote', "back\\slash", "new\nline", "中文", "\u0001"]) expect(str(v)).toBe(JSON.stringify(v));
    expect(str(null)).toBe("null");
  });

  it("amount writes what JSON.stringify writes, the same value twice in a row or not", () => {
    const values = [0.000052, 0.000052, 1e-9, null, 0.000052, Number.NaN, Number.NaN, undefined, 0, -0, 0.1 + 0.2, 0.3, 0.3];
    for (const v of values) expect(amount(v)).toBe(v == null || Number.isNaN(v) ? "null" : JSON.stringify(v));
  });

  it("num2 writes exactly what JSON.stringify writes, for every two-decimal value and any other", () => {
    const values = [0, 0.01, 0.1, 0.05, 1, 1.5, 1.05, 10.1, 99.99, 100, 812.35, 1234567.89, 0.1 + 0.2, 1 / 3, 1e-7, 1e21, -2.5];
    for (let i = 0; i < 20000; i++) values.push(Math.round(Math.random() * 10 ** (1 + (i % 9)) * 100) / 100);
    for (let i = 0; i < 2000; i++) values.push(Math.round(Math.random() * 1e4 * 10) / 10, Math.random() * 1000);
    for (const v of values) expect(num2(v)).toBe(JSON.stringify(v));
    expect(num2(Number.NaN)).toBe("null");
    expect(num2(null)).toBe("null");
  });

  it("Quoted escapes once and IsoClock formats milliseconds as toISOString", () => {
    const q = new Quoted(1);
    expect(q.of('a"b')).toBe(JSON.stringify('a"b'));
    expect(q.of('a"b')).toBe(JSON.stringify('a"b'));
    expect(q.of("past the cache")).toBe('"past the cache"');
    expect(q.of(null)).toBe("null");
    const c = new IsoClock();
    const t = Date.UTC(2026, 10, 30, 6, 1, 2, 345);
    expect(c.at(t + 0.7)).toBe(new Date(t).toISOString());
    expect(c.at(t + 1)).toBe(new Date(t + 1).toISOString());
    // Every millisecond of a few seconds, in and out of order, and times before 1970.
    for (const base of [Date.UTC(2026, 0, 1), Date.UTC(1969, 11, 31, 23, 59, 58), 0]) {
      for (let i = 0; i < 3000; i += 7) {
        const at = base + ((i * 7919) % 3000);
        expect(c.at(at)).toBe(new Date(at).toISOString());
      }
    }
  });
});
