import { type MockUpstream, startMockUpstream, waitFor } from "@ai-router/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RequestFinished } from "../src/pipeline/request-finished.js";
import { startTestProxy, type TestProxy } from "./harness.js";

/**
 * Usage that the upstream does not report is estimated and charged (tpm, budget, stats): a stream the
 * client hangs up on before the usage chunk, and an upstream that sends no usage. A client cannot
 * switch the usage chunk off with a stream_options key the router does not recognise as such.
 */
const BUDGET = "sk-budget-key-0123456789";
const TPM = "sk-tpm-key-0123456789";
const FREE = "sk-free-key-0123456789";
let up: MockUpstream;
let proxy: TestProxy;
const records: RequestFinished[] = [];

const yaml = (base: string) => `
providers:
  - { name: up, type: openai-compatible, base_url: "${base}", api_key: sk-upstream-1 }
  - { name: silent, type: openai-compatible, base_url: "${base}", api_key: sk-upstream-2, stream_usage: false }
models:
  - name: gpt-4o
    providers: [{ provider: up, model: gpt-4o, price: { input_per_mtok: 1000, output_per_mtok: 1000 } }]
  - name: no-usage
    providers: [{ provider: silent, model: gpt-4o }]
keys:
  - { name: budget-key, key: ${BUDGET}, budget_usd: 0.05 }
  - { name: tpm-key, key: ${TPM}, tpm_limit: 60 }
  - { name: free-key, key: ${FREE} }
`;

beforeAll(async () => {
  up = await startMockUpstream();
  proxy = await startTestProxy(yaml(up.baseUrl));
  proxy.proxy.usage.onFinished((r) => records.push(r));
});
afterAll(async () => {
  await proxy.close();
  await up.close();
});
beforeEach(() => {
  records.length = 0;
  up.behavior.reset();
});

const post = (key: string, body: string, signal?: AbortSignal) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body,
    ...(signal ? { signal } : {}),
  });
const long = "The quick brown fox jumps over the lazy dog. ".repeat(40); // ~1800 characters, ~450 tokens

describe("usage the upstream does not report", () => {
  it("a client that hangs up mid-stream is charged an estimate of what it received (budget and stats)", async () => {
    up.behavior.next({ text: long, chunkDelayMs: 5 });
    const ac = new AbortController();
    const r = await post(
      BUDGET,
      JSON.stringify({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "tell me" }] }),
      ac.signal,
    );
    const reader = r.body!.getReader();
    let got = "";
    while (got.split("data: ").length < 60) got += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    await waitFor(() => records.length === 1, 5_000);
    const rec = records[0]!;
    expect(rec.outcome).toBe("cancelled");
    expect(rec.usageEstimated).toBe(true);
    // ~60 chunks of 8 characters reached the client: about 120 tokens, never the whole answer's 450.
    expect(rec.usage!.completion_tokens).toBeGreaterThan(60);
    expect(rec.usage!.completion_tokens).toBeLessThan(400);
    expect(rec.usage!.prompt_tokens).toBeGreaterThan(0);
    const stats = (await (await fetch(`${proxy.url}/v1/stats`, { headers: { authorization: `Bearer ${FREE}` } })).json()) as {
      stats: { completion_tokens: Record<string, number>; cost_usd: Record<string, number> };
    };
    expect(stats.stats.completion_tokens["gpt-4o"]).toBeGreaterThanOrEqual(rec.usage!.completion_tokens);
    // $1000 per million tokens: the estimate costs more than the $0.05 budget, so the key is spent.
    expect(stats.stats.cost_usd["gpt-4o"]).toBeGreaterThan(0.05);
    const next = await post(BUDGET, JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }));
    expect(next.status).toBe(429);
    expect(((await next.json()) as { error: { code: string } }).error.code).toBe("insufficient_quota");
  });

  it("a stream from an upstream that sends no usage gets an estimate, charged to the key's tpm", async () => {
    const body = (stream: boolean) =>
      JSON.stringify({ model: "no-usage", stream, messages: [{ role: "user", content: long.slice(0, 200) }] });
    const s = await post(TPM, body(true));
    expect(s.status).toBe(200);
    expect(await s.text()).toContain("[DONE]");
    expect(up.received("/chat/completions").at(-1)?.body).not.toHaveProperty("stream_options");
    await waitFor(() => records.length === 1, 5_000);
    expect(records[0]).toMatchObject({ outcome: "served", usageEstimated: true });
    // The echo of a 200-character prompt: ~50 prompt tokens and ~50 completion tokens.
    expect(records[0]!.usage!.prompt_tokens).toBeGreaterThan(40);
    expect(records[0]!.usage!.prompt_tokens).toBeLessThan(80);
    expect(records[0]!.usage!.completion_tokens).toBeGreaterThan(40);
    // tpm_limit 60: the estimate used it up.
    const refused = await post(TPM, body(false));
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("rate_limit_exceeded");
  });

  it("a unicode-escaped stream_options key cannot turn the usage chunk off: the exact usage is recorded", async () => {
    const text =
      '{"model":"gpt-4o","stream":true,"stre\\u0061m_options":{"include_usage":false},"messages":[{"role":"user","content":"hi"}]}';
    const r = await post(FREE, text);
    const sse = await r.text();
    expect(sse).not.toContain('"usage":{'); // the client did not ask for it
    await waitFor(() => records.length === 1, 5_000);
    expect(records[0]!.usageEstimated).toBeUndefined();
    expect(records[0]!.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect((up.received("/chat/completions").at(-1)!.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
  });
});
