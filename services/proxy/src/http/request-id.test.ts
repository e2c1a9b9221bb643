import { describe, expect, it } from "vitest";
import { newRequestId } from "./request-id.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("newRequestId", () => {
  it("gives version 4 UUIDs, unique across many batches of random bytes", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = newRequestId();
      expect(id).toMatch(UUID_V4);
      seen.add(id);
    }
    expect(seen.size).toBe(5000);
  });

  it("spreads its digits (no position stuck at one value)", () => {
    const digits = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) {
      const id = newRequestId();
      for (let j = 0; j < id.length; j++) digits[j]?.add(id.charAt(j));
    }
    const sizes = digits.map((d) => d.size);
    // Dashes and the version digit are fixed; the variant digit takes 4 values; every other one all 16.
    expect(sizes.filter((n) => n === 16)).toHaveLength(30);
    expect(sizes[14]).toBe(1);
    expect(sizes[19]).toBe(4);
  });
});
