import { describe, expect, it } from "vitest";
import { finished, requestEnd } from "../../test/records.js";
import { toUsageRecord } from "./to-usage-record.js";

const end = requestEnd;
const price = { input_per_mtok: 3, output_per_mtok: 15, cached_input_per_mtok: 0.3 };
/** The record as published, after `finishRecord`. */
const built = (...args: Parameters<typeof finished>) => toUsageRecord(finished(...args));

describe("finishRecord", () => {
  it("takes reported usage, cached and reasoning tokens, and prices cached input apart", () => {
    const r = built(
      {
        model: "m",
        price,
        answered: true,
        usage: {
          prompt_tokens: 1000,
          completion_tokens: 100,
          total_tokens: 1100,
          prompt_tokens_details: { cached_tokens: 400 },
          completion_tokens_details: { reasoning_tokens: 30 },
        },
      },
      end(),
    );
    expect(r).toMatchObject({
      prompt_tokens: 1000,
      completion_tokens: 100,
      cached_tokens: 400,
      reasoning_tokens: 30,
      usage_estimated: false,
    });
    expect(r.cost_usd).toBeCloseTo((600 * 3 + 400 * 0.3 + 100 * 15) / 1e6, 12);
    expect(r.time).toBe("2026-01-01T00:00:00.000Z");
    expect(r.tokens_per_s).toBeCloseTo(100 / 0.8, 1);
  });

  it("records Anthropic's cache writes apart, prices them, and says what the cache saved", () => {
    const withWrites = { ...price, cache_write_per_mtok: 3.75 };
    const r = built(
      {
        model: "m",
        price: withWrites,
        answered: true,
        usage: {
          prompt_tokens: 1000,
          completion_tokens: 0,
          total_tokens: 1000,
          prompt_tokens_details: { cached_tokens: 600, cache_creation_tokens: 300 },
        },
      },
      end(),
    );
    expect(r).toMatchObject({ cached_tokens: 600, cache_creation_tokens: 300 });
    expect(r.cost_usd).toBeCloseTo((100 * 3 + 600 * 0.3 + 300 * 3.75) / 1e6, 12);
    expect(r.cache_saved_usd).toBeCloseTo((600 * 2.7 - 300 * 0.75) / 1e6, 12);
    const unpriced = built({ model: "m", answered: true, usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 } }, end());
    expect(unpriced.cache_saved_usd).toBeNull();
  });

  it("estimates an answered request without usage (never charges 0) and says so", () => {
    const r = built({ model: "m", stream: true, price, answered: true }, end({ status: 499 }));
    expect(r.usage_estimated).toBe(true);
    expect(r.prompt_tokens).toBe(100);
    expect(r.completion_tokens).toBe(10);
    expect(r.cost_usd).toBeGreaterThan(0);
  });

  it("cost is null without a price; an unanswered failure has no tokens and no estimate", () => {
    const r = built({ model: "m" }, end({ status: 502, ttfbMs: undefined }));
    expect(r).toMatchObject({
      cost_usd: null,
      prompt_tokens: 0,
      completion_tokens: 0,
      usage_estimated: false,
      error_code: "http_502",
      ttft_ms: null,
    });
  });

  it("estimates only the prompt for embeddings and nothing for count_tokens", () => {
    const e = built({ answered: true }, end(), { ingress: "openai-embeddings", endpoint: "embeddings", estimate: "prompt" });
    expect(e).toMatchObject({ prompt_tokens: 100, completion_tokens: 0, usage_estimated: true });
    const c = built({ answered: true }, end(), { ingress: "anthropic-count-tokens", endpoint: "messages.count_tokens", estimate: "none" });
    expect(c).toMatchObject({ prompt_tokens: 0, usage_estimated: false });
  });

  it("prices generated images per image, as the stats do", () => {
    const r = built(
      {
        model: "img",
        answered: true,
        price: { input_per_mtok: 0, output_per_mtok: 0, per_image: 0.04 },
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, images: 2 },
      },
      end(),
      { ingress: "openai-images", endpoint: "images.generations", estimate: "none" },
    );
    expect(r.cost_usd).toBeCloseTo(0.08, 12);
  });

  it("keeps the pipeline's time to first byte; the server's is the fallback", () => {
    expect(built({ ttfbMs: 50 }, end({ ttfbMs: 900 })).ttft_ms).toBe(50);
    expect(built({}, end({ ttfbMs: 900 })).ttft_ms).toBe(900);
  });
});
