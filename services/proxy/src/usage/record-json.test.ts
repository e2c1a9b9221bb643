import type { UsageRecord } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import { buildUsageRecord } from "./build-record.js";
import { UsageRecordJson } from "./record-json.js";
import { newDraft } from "./usage-draft.js";

const base = (): UsageRecord =>
  buildUsageRecord(
    Object.assign(newDraft({ ingress: "openai-chat", endpoint: "chat.completions", estimate: "chat" }), {
      model: "gpt-4o",
      provider: "openai",
      upstreamModel: "gpt-4o-2024-08-06",
      price: { input_per_mtok: 2.5, output_per_mtok: 10 },
      answered: true,
      usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19, prompt_tokens_details: { cached_tokens: 2 } },
      attempts: [
        {
          provider: "azure",
          upstream_model: "gpt-4o",
          outcome: "retry" as const,
          status: 429,
          error_code: "rate_limit_exceeded",
          latency_ms: 3.25,
        },
        {
          provider: "openai",
          upstream_model: "gpt-4o-2024-08-06",
          outcome: "served" as const,
          status: 200,
          error_code: null,
          latency_ms: 120.5,
        },
      ],
    }),
    {
      id: "0b8f6c1e-6a1d-4c55-9d0e-2f1b7e3c9a10",
      clientRequestId: "client-7",
      replica: "proxy-1",
      seq: 42,
      arrivedAt: Date.UTC(2026, 10, 30, 6, 0, 0, 123) + 0.456,
      latencyMs: 812.3456,
      ttftMs: 95.111,
      status: 200,
      keyId: "key_01",
      keyName: "team-a",
      requestBytes: 412,
      responseBytes: 2048,
      queuedMs: 0,
    },
  );

describe("UsageRecordJson", () => {
  const json = new UsageRecordJson();

  it("writes exactly what JSON.stringify writes for a served, priced, failed-over request", () => {
    const r = base();
    expect(json.of(r)).toBe(JSON.stringify(r));
  });

  it("the same for nulls, refusals, estimates, no seq, and names that need escaping", () => {
    const cases: UsageRecord[] = [
      Object.assign(base(), { model: null, provider: null, upstream_model: null, key_id: null, key_name: null, attempts: [] }),
      Object.assign(base(), { status: 429, error_code: "rate_limit_exceeded", cost_usd: null, ttft_ms: null, tokens_per_s: null }),
      Object.assign(base(), { usage_estimated: true, stream: true, queued_ms: 12.5, seq: undefined }),
      Object.assign(base(), { model: 'm"odel\\\n中文', key_name: "clé ✓", endpoint: "gemini.streamGenerateContent" }),
      Object.assign(base(), { cost_usd: 1e-9, latency_ms: 0.1 + 0.2, tokens_per_s: 123456.78 }),
      Object.assign(base(), { client_request_id: null }),
      Object.assign(base(), { client_request_id: 'id "with" \\ quotes' }),
      Object.assign(base(), { client_request_id: undefined }),
    ];
    for (const r of cases) {
      const text = json.of(r);
      expect(text).toBe(JSON.stringify(r));
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(r)));
    }
  });

  it("a repeated name is escaped from its cache and still written right", () => {
    const r = Object.assign(base(), { model: 'a "quoted" model' });
    expect(json.of(r)).toBe(JSON.stringify(r));
    expect(json.of(r)).toBe(JSON.stringify(r));
  });
});
