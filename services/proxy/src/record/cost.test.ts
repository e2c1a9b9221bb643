import { describe, expect, it } from "vitest";
import { costOfTokens } from "./cost.js";

describe("costOfTokens", () => {
  it("prices input and output per million tokens, cached input apart, and images per image", () => {
    expect(costOfTokens(1000, 500, 0, undefined, { input_per_mtok: 2, output_per_mtok: 4 })).toBeCloseTo(0.004, 9);
    expect(costOfTokens(1000, 0, 400, undefined, { input_per_mtok: 2, output_per_mtok: 4, cached_input_per_mtok: 0.5 })).toBeCloseTo(
      (600 * 2 + 400 * 0.5) / 1e6,
      12,
    );
    expect(costOfTokens(0, 0, 0, { images: 3 }, { input_per_mtok: 0, output_per_mtok: 0, per_image: 0.04 })).toBeCloseTo(0.12, 9);
  });

  it("prices audio per minute, speech per million characters and rerank per search, each only where the price names it", () => {
    const zero = { input_per_mtok: 0, output_per_mtok: 0 };
    expect(costOfTokens(0, 0, 0, { audio_seconds: 90 }, { ...zero, per_audio_minute: 0.006 })).toBeCloseTo(0.009, 12);
    expect(costOfTokens(0, 0, 0, { characters: 2_000 }, { ...zero, per_mchar: 15 })).toBeCloseTo(0.03, 12);
    expect(costOfTokens(0, 0, 0, { searches: 3 }, { ...zero, per_search: 0.002 })).toBeCloseTo(0.006, 12);
    expect(costOfTokens(0, 0, 0, { searches: 3, audio_seconds: 60 }, zero)).toBe(0);
  });
});
