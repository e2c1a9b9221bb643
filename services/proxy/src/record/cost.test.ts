import { describe, expect, it } from "vitest";
import { cacheSavedUsd, costOfTokens } from "./cost.js";

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

describe("realtime audio tokens", () => {
  // gpt-realtime's list prices: text in $4, cached $0.40, out $16; audio in $32, cached $0.40, out $64.
  const realtime = {
    input_per_mtok: 4,
    cached_input_per_mtok: 0.4,
    output_per_mtok: 16,
    input_audio_per_mtok: 32,
    cached_input_audio_per_mtok: 0.4,
    output_audio_per_mtok: 64,
  };
  // 100 input tokens (40 text, 60 audio; 30 cached: 10 text, 20 audio), 80 output (20 text, 60 audio).
  const units = { input_audio_tokens: 60, cached_input_audio_tokens: 20, output_audio_tokens: 60 };

  it("prices text and audio tokens apart, cached ones at their own prices", () => {
    const want = (30 * 4 + 10 * 0.4 + 40 * 32 + 20 * 0.4 + 20 * 16 + 60 * 64) / 1e6;
    expect(costOfTokens(100, 80, 30, units, realtime)).toBeCloseTo(want, 12);
    // Cached audio without its own price: the audio input price.
    const noCachedAudio = { ...realtime, cached_input_audio_per_mtok: undefined };
    expect(costOfTokens(100, 80, 30, units, noCachedAudio)).toBeCloseTo(want + (20 * (32 - 0.4)) / 1e6, 12);
  });

  it("a price without audio fields prices audio tokens as text (what records said before)", () => {
    const text = { input_per_mtok: 4, cached_input_per_mtok: 0.4, output_per_mtok: 16 };
    expect(costOfTokens(100, 80, 30, units, text)).toBeCloseTo((70 * 4 + 30 * 0.4 + 80 * 16) / 1e6, 12);
  });

  it("audio counts beyond the token counts are capped (a provider's nonsense costs nothing extra)", () => {
    const capped = costOfTokens(10, 10, 0, { input_audio_tokens: 1e9, output_audio_tokens: 1e9 }, realtime);
    expect(capped).toBeCloseTo((10 * 32 + 10 * 64) / 1e6, 12);
  });

  it("cache savings count cached audio against the audio input price", () => {
    expect(cacheSavedUsd(30, 0, 0, realtime, units)).toBeCloseTo((10 * (4 - 0.4) + 20 * (32 - 0.4)) / 1e6, 12);
  });
});

describe("prompt-cache accounting", () => {
  // Claude Sonnet's list prices: input $3, cache read $0.30, 5-minute write $3.75, 1-hour write $6, output $15.
  const sonnet = {
    input_per_mtok: 3,
    output_per_mtok: 15,
    cached_input_per_mtok: 0.3,
    cache_write_per_mtok: 3.75,
    cache_write_1h_per_mtok: 6,
  };

  it("prices cache writes at their own 5-minute and 1-hour prices, apart from plain input and reads", () => {
    // 10,000 prompt tokens: 6,000 read, 3,000 written (1,000 of them for an hour), 1,000 plain.
    const cost = costOfTokens(10_000, 100, 6000, undefined, sonnet, 3000, 1000);
    expect(cost).toBeCloseTo((1000 * 3 + 6000 * 0.3 + 2000 * 3.75 + 1000 * 6 + 100 * 15) / 1e6, 12);
    // Without write prices, writes cost the input price (what the record said before).
    expect(costOfTokens(1000, 0, 0, undefined, { input_per_mtok: 2, output_per_mtok: 4 }, 500)).toBeCloseTo(0.002, 12);
  });

  it("says what the cache saved: reads' discount minus writes' surcharge, negative for writes never read", () => {
    expect(cacheSavedUsd(6000, 0, 0, sonnet)).toBeCloseTo((6000 * 2.7) / 1e6, 12);
    expect(cacheSavedUsd(0, 3000, 1000, sonnet)).toBeCloseTo(-(2000 * 0.75 + 1000 * 3) / 1e6, 12);
    expect(cacheSavedUsd(1000, 0, 0, { input_per_mtok: 2, output_per_mtok: 4 })).toBe(0);
  });
});
