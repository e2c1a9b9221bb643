import { describe, expect, it } from "vitest";
import { BodyBytes } from "./body-bytes.js";

describe("BodyBytes", () => {
  it("joins chunks up to its limit", () => {
    const b = new BodyBytes(6, false);
    expect(b.add(Buffer.from("abc"))).toBe(true);
    expect(b.add(Buffer.from("def"))).toBe(true);
    expect(b.bytes().toString()).toBe("abcdef");
  });

  it("past its limit, a truncating one keeps the first bytes; another one fails", () => {
    const cut = new BodyBytes(4, true);
    cut.add(Buffer.from("abc"));
    expect(cut.add(Buffer.from("def"))).toBe(false);
    expect(cut.bytes().toString()).toBe("abcd");
    expect(cut.tooLarge()).toBeNull();

    const strict = new BodyBytes(4, false);
    expect(strict.add(Buffer.from("abcdef"))).toBe(false);
    expect(strict.tooLarge()).toMatchObject({ code: "upstream_bad_response" });
  });
});
