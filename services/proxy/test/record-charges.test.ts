import { sha256Hex } from "@ai-router/config";
import { type MockUpstream, startMockUpstream, waitFor } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestFinished } from "../src/pipeline/request-finished.js";
import { published, startTestProxy, type TestProxy } from "./harness.js";

/**
 * A request's tokens and cost are computed once, in its record, and every reader gets those figures:
 * the key's limiter, the stats, the usage record. An estimate (the upstream reported no usage) is
 * charged once, like reported usage.
 */
const KEY = "sk-charges-key-0123456789";
let up: MockUpstream;
let proxy: TestProxy;
const finished: RequestFinished[] = [];
const written: ReturnType<typeof published>[] = [];

beforeAll(async () => {
  up = await startMockUpstream();
  proxy = await startTestProxy(
    `
providers:
  - { name: silent, type: openai-compatible, base_url: "${up.baseUrl}", api_key: sk-upstream-1, stream_usage: false }
models:
  - name: no-usage
    providers: [{ provider: silent, model: gpt-4o, price: { input_per_mtok: 1000, output_per_mtok: 1000 } }]
keys:
  - { name: team, key: ${KEY}, tpm_limit: 1000000, budget_usd: 1000 }
`,
    {},
    { proxy: () => ({ usageSink: { write: (r) => written.push(published(r)) } }) },
  );
  proxy.proxy.onRequestFinished((r) => finished.push(r));
});
afterAll(async () => {
  await proxy.close();
  await up.close();
});

describe("one record, one charge", () => {
  it("charges an estimated stream once: the limiter, the stats and the usage record agree", async () => {
    const r = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "no-usage", stream: true, messages: [{ role: "user", content: "tell me a story ".repeat(20) }] }),
    });
    expect(await r.text()).toContain("[DONE]");
    await waitFor(() => finished.length === 1 && written.length === 1, 5_000);
    const rec = finished[0]!;
    expect(rec.usageEstimated).toBe(true);
    const tokens = rec.promptTokens + rec.completionTokens;
    expect(tokens).toBeGreaterThan(0);
    expect(rec.costUsd).toBeCloseTo(tokens / 1000, 9);
    const limiter = proxy.proxy.usage.keyLimits.get(sha256Hex(KEY))!;
    expect(limiter.counters.tokens).toBe(tokens);
    expect(limiter.counters.spentUsd).toBeCloseTo(rec.costUsd!, 9);
    expect(proxy.proxy.usage.byModel.get("no-usage")).toMatchObject({
      promptTokens: rec.promptTokens,
      completionTokens: rec.completionTokens,
    });
    expect(written[0]).toMatchObject({ prompt_tokens: rec.promptTokens, completion_tokens: rec.completionTokens, usage_estimated: true });
    expect(written[0]!.cost_usd).toBeCloseTo(rec.costUsd!, 9);
  });
});
