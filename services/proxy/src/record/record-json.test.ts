import { UsageRecord } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import { finished } from "../../test/records.js";
import { UsageRecordJson } from "./record-json.js";
import type { RequestRecord } from "./request-record.js";
import { toUsageRecord } from "./to-usage-record.js";

const base = (): RequestRecord =>
  finished(
    {
      model: "gpt-4o",
      provider: "openai",
      upstreamModel: "gpt-4o-2024-08-06",
      recordId: "5f1c9e2a-0d3b-4e7a-9c21-7a6b5d4e3f20",
      clientRequestId: "client-7",
      keyId: "key_01",
      key: "team-a",
      price: { input_per_mtok: 2.5, output_per_mtok: 10 },
      answered: true,
      usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19, prompt_tokens_details: { cached_tokens: 2 } },
      attempts: [
        {
          provider: "azure",
          upstreamModel: "gpt-4o",
          outcome: "retry" as const,
          status: 429,
          error: "slow down",
          errorCode: "rate_limit_exceeded",
          durationMs: 3.25,
        },
        {
          provider: "openai",
          upstreamModel: "gpt-4o-2024-08-06",
          outcome: "served" as const,
          status: null,
          error: null,
          errorCode: null,
          durationMs: 120.5,
        },
      ],
    },
    {
      replica: "proxy-1",
      seq: 42,
      arrivedAt: Date.UTC(2026, 10, 30, 6, 0, 0, 123) + 0.456,
      latencyMs: 812.3456,
      ttfbMs: 95.111,
      status: 200,
      requestBytes: 412,
      responseBytes: 2048,
      queuedMs: 0,
    },
    undefined,
    "0b8f6c1e-6a1d-4c55-9d0e-2f1b7e3c9a10",
  );

describe("UsageRecordJson", () => {
  const json = new UsageRecordJson();

  it("writes exactly what JSON.stringify writes of the published record, for a served, priced, failed-over request", () => {
    const r = base();
    expect(json.of(r)).toBe(JSON.stringify(toUsageRecord(r)));
    // The published contract reads it (a served attempt's status is 200 there).
    expect(UsageRecord.parse(JSON.parse(json.of(r))).attempts.map((a) => a.status)).toEqual([429, 200]);
  });

  it("the same for nulls, refusals, estimates, and names that need escaping", () => {
    const cases: RequestRecord[] = [
      Object.assign(base(), { model: undefined, provider: null, upstreamModel: null, keyId: null, key: null, attempts: [] }),
      Object.assign(base(), { status: 429, errorCode: "rate_limit_exceeded", costUsd: null, ttfbMs: undefined, tokensPerS: null }),
      Object.assign(base(), { usageEstimated: true, stream: true, queuedMs: 12.5 }),
      Object.assign(base(), { model: 'm"odel\\\n中文', key: "clé ✓", endpoint: "gemini.streamGenerateContent" }),
      Object.assign(base(), { costUsd: 1e-9, latencyMs: 0.1 + 0.2, tokensPerS: 123456.78 }),
      Object.assign(base(), { clientRequestId: null }),
      Object.assign(base(), { clientRequestId: 'id "with" \\ quotes' }),
    ];
    for (const r of cases) {
      const text = json.of(r);
      expect(text).toBe(JSON.stringify(toUsageRecord(r)));
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(toUsageRecord(r))));
    }
  });

  it("priced units besides tokens (audio seconds, characters, searches, images) are published as `units`, read back by the contract", () => {
    const usage = (u: object) =>
      Object.assign(base(), { usage: Object.assign({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, u) });
    for (const r of [usage({ audio_seconds: 2.5 }), usage({ characters: 10, searches: 1 }), usage({ images: 2 })]) {
      expect(json.of(r)).toBe(JSON.stringify(toUsageRecord(r)));
    }
    expect(UsageRecord.parse(JSON.parse(json.of(usage({ audio_seconds: 2.5 })))).units).toEqual({ audio_seconds: 2.5 });
    expect(JSON.parse(json.of(base())).units).toBeUndefined();
  });

  it("a repeated name is escaped from its cache and still written right", () => {
    const r = Object.assign(base(), { model: 'a "quoted" model' });
    expect(json.of(r)).toBe(JSON.stringify(toUsageRecord(r)));
    expect(json.of(r)).toBe(JSON.stringify(toUsageRecord(r)));
  });
});
