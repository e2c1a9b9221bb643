import { describe, expect, it } from "vitest";
import { bearerTokenCheck } from "./bearer-token.js";

describe("bearerTokenCheck", () => {
  const check = bearerTokenCheck("s3cret-token-0123456789");

  it("accepts the token, any case of the scheme, surrounding spaces", () => {
    expect(check("Bearer s3cret-token-0123456789")).toBe("ok");
    expect(check("bearer  s3cret-token-0123456789 ")).toBe("ok");
  });

  it("a missing header or scheme is missing; anything else is wrong, whatever its length", () => {
    expect(check(undefined)).toBe("missing");
    expect(check("Bearer ")).toBe("missing");
    expect(check("Basic czNjcmV0")).toBe("missing");
    expect(check("s3cret-token-0123456789")).toBe("missing");
    expect(check("Bearer s3cret-token-012345678")).toBe("wrong");
    expect(check("Bearer s3cret-token-01234567890")).toBe("wrong");
    expect(check(`Bearer ${"x".repeat(10_000)}`)).toBe("wrong");
  });
});
