import { describe, expect, it } from "vitest";
import { buildUsageRecord, type RequestEnd } from "./build-record.js";
import { newDraft } from "./usage-draft.js";

const end = (over: Partial<RequestEnd> = {}): RequestEnd => ({
  id: "req-1",
  clientRequestId: null,
  replica: "r",
  seq: 1,
  arrivedAt: Date.UTC(2026, 0, 1),
  latencyMs: 1000,
  ttftMs: 200,
  status: 200,
  keyId: null,
  keyName: null,
  requestBytes: 400,
  responseBytes: 1600,
  ...over,
});
const chat = () => newDraft({ ingress: "openai-chat", endpoint: "chat.completions", estimate: "chat" });
const price = { input_per_mtok: 3, output_per_mtok: 15, cached_input_per_mtok: 0.3 };

describe("buildUsageRecord", () => {
  it("takes reported usage, cached and reasoning tokens, and prices cached input apart", () => {
    const d = chat();
    d.model = "m";
    d.price = price;
    d.answered = true;
    d.usage = {
      prompt_tokens: 1000,
      completion_tokens: 100,
      total_tokens: 1100,
      prompt_tokens_details: { cached_tokens: 400 },
      completion_tokens_details: { reasoning_tokens: 30 },
    };
    const r = buildUsageRecord(d, end());
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

  it("estimates an answered request without usage (never charges 0) and says so", () => {
    const d = chat();
    d.model = "m";
    d.stream = true;
    d.price = price;
    d.answered = true;
    const r = buildUsageRecord(d, end({ status: 499 }));
    expect(r.usage_estimated).toBe(true);
    expect(r.prompt_tokens).toBe(100);
    expect(r.completion_tokens).toBe(10);
    expect(r.cost_usd).toBeGreaterThan(0);
  });

  it("cost is null without a price; an unanswered failure has no tokens and no estimate", () => {
    const d = chat();
    d.model = "m";
    const r = buildUsageRecord(d, end({ status: 502, ttftMs: undefined }));
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
    const e = newDraft({ ingress: "openai-embeddings", endpoint: "embeddings", estimate: "prompt" });
    e.answered = true;
    expect(buildUsageRecord(e, end())).toMatchObject({ prompt_tokens: 100, completion_tokens: 0, usage_estimated: true });
    const c = newDraft({ ingress: "anthropic-count-tokens", endpoint: "messages.count_tokens", estimate: "none" });
    c.answered = true;
    expect(buildUsageRecord(c, end())).toMatchObject({ prompt_tokens: 0, usage_estimated: false });
  });
  it("prices generated images per image, as the stats do", () => {
    const d = newDraft({ ingress: "openai-images", endpoint: "images.generations", estimate: "none" });
    d.model = "img";
    d.answered = true;
    d.price = { input_per_mtok: 0, output_per_mtok: 0, per_image: 0.04 };
    d.usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, images: 2 };
    expect(buildUsageRecord(d, end()).cost_usd).toBeCloseTo(0.08, 12);
  });
});
