import { describe, expect, it } from "vitest";
import { costOf } from "./cost.js";

describe("costOf", () => {
  it("is undefined without a price (never 0), and counts images priced per image", () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };
    expect(costOf(usage, undefined)).toBeUndefined();
    expect(costOf(usage, { input_per_mtok: 2, output_per_mtok: 4 })).toBeCloseTo(0.004, 9);
    expect(
      costOf(
        { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, images: 3 },
        { input_per_mtok: 0, output_per_mtok: 0, per_image: 0.04 },
      ),
    ).toBeCloseTo(0.12, 9);
  });
});
