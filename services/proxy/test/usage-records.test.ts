import { randomBytes } from "node:crypto";
import type { UsageRecord } from "@ai-router/contracts";
import { UsageRecord as UsageRecordSchema } from "@ai-router/contracts";
import { createLogger } from "@ai-router/logger";
import { type MockUpstream, startMockUpstream, waitFor } from "@ai-router/testing";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { SharedLimits } from "../src/limits/shared-limits.js";
import { ProxyMetrics } from "../src/metrics/proxy-metrics.js";
import { fanOut } from "../src/record/usage-sink.js";
import type { ProxyOptions } from "../src/server.js";
import { openAIConfig, published, startTestProxy, type TestProxy } from "./harness.js";

let a: MockUpstream;
let b: MockUpstream;
let proxy: TestProxy;
let records: UsageRecord[];
let metrics: ProxyMetrics;

const price = { input_per_mtok: 2, output_per_mtok: 8 };

async function start(extra: Parameters<typeof openAIConfig>[1] = {}, priced = true, proxyOpts: Partial<ProxyOptions> = {}) {
  a = await startMockUpstream();
  b = await startMockUpstream();
  records = [];
  const cfg = openAIConfig([a.baseUrl, b.baseUrl], {
    ...extra,
    model: { strategy: "fallback", ...(extra.model ?? {}) },
  }) as { models: { providers: Record<string, unknown>[] }[] };
  // Unpriced: an upstream model the bundled price list does not know either (gpt-4o is on it).
  for (const t of cfg.models[0]!.providers) {
    if (priced) t.price = price;
    else t.model = "in-house-llm";
  }
  proxy = await startTestProxy(
    cfg,
    {},
    {
      proxy: (store) => {
        metrics = new ProxyMetrics(store, () => 0);
        return { replica: "r1", usageSink: fanOut([{ write: (r) => records.push(published(r)) }, metrics]), metrics, ...proxyOpts };
      },
    },
  );
}

const post = (path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  fetch(`${proxy.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const chat = (body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  post("/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "hi" }], ...body }, headers);

afterEach(async () => {
  await proxy?.close();
  await a?.close();
  await b?.close();
});

describe("usage records", () => {
  it("one record per served request: id = x-request-id, tokens, cost at the target's price, timings", async () => {
    await start();
    const r = await chat();
    expect(r.status).toBe(200);
    const body = await r.json();
    await waitFor(() => records.length === 1);
    const rec = UsageRecordSchema.parse(records[0]);
    expect(rec).toMatchObject({
      id: r.headers.get("x-request-id"),
      replica: "r1",
      ingress: "openai-chat",
      endpoint: "chat.completions",
      model: "gpt-4o",
      provider: "up0",
      upstream_model: "gpt-4o",
      key_id: null,
      key_name: null,
      stream: false,
      status: 200,
      error_code: null,
      prompt_tokens: body.usage.prompt_tokens,
      completion_tokens: body.usage.completion_tokens,
      usage_estimated: false,
    });
    expect(rec.cost_usd).toBeCloseTo((body.usage.prompt_tokens * 2 + body.usage.completion_tokens * 8) / 1e6, 12);
    expect(rec.attempts).toEqual([expect.objectContaining({ provider: "up0", outcome: "served", status: 200, error_code: null })]);
    expect(rec.latency_ms).toBeGreaterThan(0);
    expect(rec.ttft_ms).not.toBeNull();
    expect(rec.request_bytes).toBeGreaterThan(0);
    expect(rec.response_bytes).toBeGreaterThan(JSON.stringify(body).length);
  });

  it("records the failover chain: a 500 then a success", async () => {
    await start();
    a.behavior.next({ status: 500 });
    expect((await chat()).status).toBe(200);
    await waitFor(() => records.length === 1);
    expect(records[0]!.provider).toBe("up1");
    expect(records[0]!.attempts.map((x) => [x.provider, x.outcome, x.status])).toEqual([
      ["up0", "retry", 500],
      ["up1", "served", 200],
    ]);
  });

  it("cost is null when the target has no price, never 0", async () => {
    await start({}, false);
    expect((await chat()).status).toBe(200);
    await waitFor(() => records.length === 1);
    expect(records[0]!.cost_usd).toBeNull();
    expect(records[0]!.completion_tokens).toBeGreaterThan(0);
  });

  it("a client that hangs up mid-stream gets an estimated, charged record (status 499)", async () => {
    await start();
    a.behavior.fallback = { chunkDelayMs: 200, text: "one two three four five six seven eight nine ten" };
    const ac = new AbortController();
    const r = await chat({ stream: true }, {});
    const reader = r.body!.getReader();
    await reader.read();
    ac.abort();
    await reader.cancel();
    await waitFor(() => records.length === 1, 5_000);
    const rec = records[0]!;
    expect(rec).toMatchObject({ status: 499, stream: true, usage_estimated: true, provider: "up0" });
    expect(rec.prompt_tokens).toBeGreaterThan(0);
    expect(rec.completion_tokens).toBeGreaterThan(0);
    expect(rec.cost_usd).toBeGreaterThan(0);
    expect(rec.attempts).toEqual([expect.objectContaining({ provider: "up0", error_code: "client_closed_request" })]);
  });

  it("records streams with the upstream's usage and a time to first token", async () => {
    await start();
    const r = await chat({ stream: true, stream_options: { include_usage: true } });
    const text = await r.text();
    await waitFor(() => records.length === 1);
    const usageLine = text
      .split("\n")
      .filter((l) => l.includes('"usage":{'))
      .pop()!;
    const usage = JSON.parse(usageLine.slice(6)).usage;
    expect(records[0]).toMatchObject({ stream: true, status: 200, usage_estimated: false, prompt_tokens: usage.prompt_tokens });
    expect(records[0]!.ttft_ms).toBeLessThanOrEqual(records[0]!.latency_ms);
  });

  it("records bad input once the model is known, and unknown models; not requests without one", async () => {
    await start();
    expect((await post("/v1/chat/completions", { model: "gpt-4o", messages: "nope" })).status).toBe(400);
    expect((await post("/v1/chat/completions", { model: "nope", messages: [{ role: "user", content: "x" }] })).status).toBe(404);
    expect((await post("/v1/chat/completions", { messages: [] })).status).toBe(400);
    await waitFor(() => records.length === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(records.map((r) => [r.model, r.status, r.error_code, r.attempts.length, r.cost_usd])).toEqual([
      ["gpt-4o", 400, "invalid_value", 0, null],
      ["nope", 404, "model_not_found", 0, null],
    ]);
  });

  it("records a request refused by a key limit, with the key and no model", async () => {
    await start({ keys: [{ name: "team-a", key: "sk-team-a-0123456789", rpm_limit: 1 }] });
    const auth = { authorization: "Bearer sk-team-a-0123456789" };
    expect((await chat({}, auth)).status).toBe(200);
    expect((await chat({}, auth)).status).toBe(429);
    await waitFor(() => records.length === 2);
    expect(records.map((r) => [r.model, r.status, r.key_id, r.key_name, r.error_code])).toEqual([
      ["gpt-4o", 200, "team-a", "team-a", null],
      [null, 429, "team-a", "team-a", "rate_limit_exceeded"],
    ]);
  });

  it("records a request the cluster-wide (Redis) limiter refused like a local refusal: no model, rate_limit_exceeded", async () => {
    const redis = new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
    const logger = createLogger({ name: "usage-records-test", level: "silent" });
    const shared = new SharedLimits(redis, `ai-router:test-${randomBytes(6).toString("hex")}:limits`, logger, () => 1);
    try {
      await start({ keys: [{ name: "team-a", key: "sk-team-a-0123456789", rpm_limit: 1 }] }, true, { sharedLimits: shared });
      const auth = { authorization: "Bearer sk-team-a-0123456789" };
      expect((await chat({}, auth)).status).toBe(200);
      const refused = await chat({}, auth);
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("rate_limit_exceeded");
      await waitFor(() => records.length === 2);
      expect(records.map((r) => [r.model, r.status, r.key_id, r.key_name, r.error_code, r.attempts.length])).toEqual([
        ["gpt-4o", 200, "team-a", "team-a", null, 1],
        [null, 429, "team-a", "team-a", "rate_limit_exceeded", 0],
      ]);
    } finally {
      shared.close();
    }
  });

  it("the record id is the server's own: two keys sending one x-request-id get two records, the client's id kept beside", async () => {
    await start({
      keys: [
        { name: "team-a", key: "sk-team-a-0123456789" },
        { name: "team-b", key: "sk-team-b-0123456789" },
      ],
    });
    const shared = "order-2026-0001";
    const sent = [
      await chat({}, { authorization: "Bearer sk-team-a-0123456789", "x-request-id": shared }),
      await chat({}, { authorization: "Bearer sk-team-b-0123456789", "x-request-id": shared }),
      await chat({}, { authorization: "Bearer sk-team-b-0123456789", "x-request-id": shared }),
      // Not a valid echo (a space): the client gets a fresh id, the ledger still keeps what it sent.
      await chat({}, { authorization: "Bearer sk-team-a-0123456789", "x-request-id": "ticket 7\u0085" }),
      await chat({}, { authorization: "Bearer sk-team-a-0123456789" }),
    ];
    // What the client sees is unchanged: its own id echoed when it sent a valid one.
    expect(sent.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(sent.slice(0, 3).map((r) => r.headers.get("x-request-id"))).toEqual([shared, shared, shared]);
    const fresh = sent[3]!.headers.get("x-request-id")!;
    expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() => records.length === 5);
    const ids = records.map((r) => r.id);
    expect(new Set(ids).size).toBe(5);
    expect(ids).not.toContain(shared);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(records.map((r) => [r.key_name, r.client_request_id])).toEqual([
      ["team-a", shared],
      ["team-b", shared],
      ["team-b", shared],
      ["team-a", "ticket 7"],
      ["team-a", null],
    ]);
    // Without a client id, the record's id is the one the client was answered.
    expect(records[3]!.id).toBe(fresh);
    expect(records[4]!.id).toBe(sent[4]!.headers.get("x-request-id"));
  });

  it("records embeddings with their endpoint and ingress", async () => {
    await start({ model: { llm_type: "embedding" } });
    expect((await post("/v1/embeddings", { model: "gpt-4o", input: "hello" })).status).toBe(200);
    await waitFor(() => records.length === 1);
    expect(records[0]).toMatchObject({ ingress: "openai-embeddings", endpoint: "embeddings", status: 200, provider: "up0" });
  });
});

describe("proxy metrics", () => {
  it("counters move by exactly the requests sent; unknown models are labelled unknown", async () => {
    await start();
    a.behavior.next({ status: 500 });
    for (let i = 0; i < 3; i++) expect((await chat()).status).toBe(200);
    expect((await post("/v1/chat/completions", { model: "secret-name", messages: [{ role: "user", content: "x" }] })).status).toBe(404);
    await waitFor(() => records.length === 4);
    const text = await (await fetch(`${proxy.url}/metrics`)).text();
    const line = (prefix: string) => text.split("\n").find((l) => l.startsWith(prefix));
    expect(line('ai_router_requests_total{model="gpt-4o",provider="up1",status_class="2xx",ingress="openai-chat"}')).toMatch(/ 1$/);
    expect(line('ai_router_requests_total{model="gpt-4o",provider="up0",status_class="2xx",ingress="openai-chat"}')).toMatch(/ 2$/);
    expect(line('ai_router_requests_total{model="unknown",provider="unknown",status_class="4xx",ingress="openai-chat"}')).toMatch(/ 1$/);
    expect(line('ai_router_upstream_attempts_total{provider="up0",outcome="retry"}')).toMatch(/ 1$/);
    expect(line('ai_router_request_duration_seconds_count{model="gpt-4o"}')).toMatch(/ 3$/);
    expect(text).not.toContain("secret-name");
    const out = records.filter((r) => r.model === "gpt-4o").reduce((s, r) => s + r.completion_tokens, 0);
    expect(line('ai_router_tokens_total{model="gpt-4o",direction="output"}')).toMatch(new RegExp(` ${out}$`));
    expect(line("ai_router_routing_table_revision")).toBeDefined();
    expect(text).toContain('ai_router_breaker_open{provider="up0",model="gpt-4o"} 0');
  });
});
