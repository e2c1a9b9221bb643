import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterEach, describe, expect, it } from "vitest";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

let a: MockUpstream | undefined;
let b: MockUpstream | undefined;
let proxy: TestProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  await a?.close();
  await b?.close();
  proxy = a = b = undefined;
});

// USD per million tokens; up1 has no price, and its model is not in the bundled list (its cost is unknown, never "free").
const price = { input_per_mtok: 2, output_per_mtok: 8 };

/** gpt-4o on up0 (priced) and up1 round-robin, and `org/llama-3` (an id with a slash) on up0 only. */
async function start(extra: { keys?: unknown[] } = {}) {
  a = await startMockUpstream();
  b = await startMockUpstream();
  const cfg = openAIConfig([a.baseUrl, b.baseUrl], {
    server: { failure_threshold: 2 },
    model: {
      providers: [
        { provider: "up0", model: "gpt-4o", price },
        { provider: "up1", model: "private-4o" },
      ],
    },
    ...extra,
  });
  (cfg.models as unknown[]).push({ name: "org/llama-3", providers: [{ provider: "up0", model: "llama-3", price }] });
  proxy = await startTestProxy(cfg);
}

interface Served {
  provider: string | null;
  prompt: number;
  completion: number;
}

async function chat(model = "gpt-4o", headers: Record<string, string> = {}): Promise<Served> {
  const r = await fetch(`${proxy!.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "tell me something about health checks" }] }),
  });
  expect(r.status).toBe(200);
  const body = (await r.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
  return { provider: r.headers.get("x-router-provider"), prompt: body.usage.prompt_tokens, completion: body.usage.completion_tokens };
}

async function get(path: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${proxy!.url}${path}`, { headers });
  return { status: r.status, body: (await r.json()) as any };
}

describe("seed health endpoints before any traffic", () => {
  it("say unknown rather than guessing, with the original's fields", async () => {
    await start();
    const { status, body } = await get("/v1/health?timeout=5");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "unknown", healthy_models: 0, total_models: 2, use_database: false, timeout: 5 });
    expect(body.models["gpt-4o"]).toEqual({
      status: "unknown",
      providers: { up0: "unknown", up1: "unknown" },
      healthy_providers: 0,
      total_providers: 2,
    });
    const perf = (await get("/v1/providers/up0/performance")).body;
    expect(perf).toMatchObject({ total_requests: 0, total_cost: 0, total_tokens_used: 0, overall_success_rate: null, models_count: 2 });
  });
});

describe("seed health endpoints from live traffic", () => {
  it("report healthy providers, and the tokens and cost the requests used", async () => {
    await start();
    const served: Served[] = [];
    for (let i = 0; i < 4; i++) served.push(await chat());
    served.push(await chat("org/llama-3"));

    const health = (await get("/v1/health/")).body;
    expect(health.status).toBe("healthy");
    expect(health.healthy_models).toBe(2);
    expect(health.models["gpt-4o"].providers).toEqual({ up0: "healthy", up1: "healthy" });

    const byModel = (await get("/v1/health/models/org/llama-3")).body;
    expect(byModel).toMatchObject({ model_name: "org/llama-3", status: "healthy", providers: { "org/llama-3:up0": "healthy" } });

    const mine = served.filter((s) => s.provider === "up0");
    const tokens = mine.reduce((n, s) => n + s.prompt + s.completion, 0);
    const cost = mine.reduce((n, s) => n + (s.prompt * price.input_per_mtok + s.completion * price.output_per_mtok) / 1e6, 0);
    const perf = (await get("/v1/providers/up0/performance")).body;
    expect(perf.total_requests).toBe(mine.length);
    expect(perf.total_failed_requests).toBe(0);
    expect(perf.overall_success_rate).toBe(1);
    expect(perf.total_tokens_used).toBe(tokens);
    expect(perf.total_cost).toBeCloseTo(cost, 12);
    expect(perf.cost_per_1k_tokens).toBeCloseTo((cost / tokens) * 1000, 12);

    // up1 has no price: its tokens count, its cost stays unknown rather than zero-per-token.
    const up1 = (await get("/v1/providers/up1/performance")).body;
    const theirs = served.filter((s) => s.provider === "up1");
    expect(up1.total_tokens_used).toBe(theirs.reduce((n, s) => n + s.prompt + s.completion, 0));
    expect(up1.total_cost).toBe(0);
    expect(up1.cost_per_1k_tokens).toBeNull();

    const info = (await get("/v1/providers/up0/health")).body;
    expect(info).toMatchObject({ provider_name: "up0", overall_health: "healthy", total_models: 2, healthy_models: 2 });
    for (const d of info.model_details) {
      expect(d.overall_score).toBeGreaterThan(0.8);
      expect(d.overall_score).toBeLessThanOrEqual(1);
      expect(d.success_rate).toBe(1);
    }
    expect(info.model_details.map((d: { model_id: string }) => d.model_id)).toEqual(["gpt-4o", "org/llama-3"]);
  });

  it("show a provider refusing connections as unhealthy and its model as degraded", async () => {
    await start();
    await chat();
    await chat();
    await b!.refuse();
    // Round robin keeps trying up1 first every other request until its breaker opens; failover serves them.
    for (let i = 0; i < 6; i++) expect((await chat()).provider).toBe("up0");

    const model = (await get("/v1/health/models/gpt-4o")).body;
    expect(model).toMatchObject({
      status: "degraded",
      providers: { "gpt-4o:up0": "healthy", "gpt-4o:up1": "unhealthy" },
      healthy_providers: 1,
      total_providers: 2,
    });
    const overall = (await get("/v1/health")).body;
    expect(overall.status).toBe("degraded");
    // up0/llama-3 is a target of its own and saw no traffic: unknown, and left out of the aggregate.
    expect(overall.models["org/llama-3"].status).toBe("unknown");

    const providers = (await get("/v1/health/providers")).body.providers;
    expect(providers.up1).toEqual({ models: ["gpt-4o"], health_status: "unhealthy", base_url: b!.baseUrl });
    expect(providers.up0.health_status).toBe("healthy");

    const info = (await get("/v1/providers/up1/health")).body;
    expect(info).toMatchObject({ overall_health: "unhealthy", unhealthy_models: 1, healthy_models: 0 });
    expect(info.average_score).toBeLessThan((await get("/v1/providers/up0/health")).body.average_score);

    const perf = (await get("/v1/providers/up1/performance")).body;
    expect(perf.total_failed_requests).toBeGreaterThanOrEqual(2);
    expect(perf.total_requests).toBe(perf.total_successful_requests + perf.total_failed_requests);
    expect(perf.overall_success_rate).toBeLessThan(1);
    expect(perf.unhealthy_models).toBe(1);

    const overview = (await get("/v1/providers/stats/overview")).body;
    expect(overview).toMatchObject({
      total_providers: 2,
      healthy_providers: 1,
      unhealthy_providers: 1,
      degraded_providers: 0,
      health_distribution: { healthy_percentage: 50, degraded_percentage: 0, unhealthy_percentage: 50 },
    });
  });
});

describe("seed provider list, paths and errors", () => {
  it("lists providers with their type, endpoint and health, with and without the trailing slash", async () => {
    await start();
    await chat();
    const list = (await get("/v1/providers")).body;
    expect(list).toEqual((await get("/v1/providers/")).body);
    expect(list.providers.map((p: { name: string }) => p.name)).toEqual(["up0", "up1"]);
    expect(list.providers[0]).toMatchObject({
      name: "up0",
      provider_type: "openai-compatible",
      official_endpoint: a!.baseUrl,
      is_enabled: true,
      health_info: { provider_name: "up0", total_models: 2 },
    });
    expect((await get("/v1/providers/up0/health/")).status).toBe(200);
    expect((await get("/v1/providers/stats/overview/")).body.total_providers).toBe(2);
    expect((await get("/v1/health/providers/")).status).toBe(200);
  });

  it("answers 404 in OpenAI's error envelope for unknown models, providers and sub-paths", async () => {
    await start();
    const model = await get("/v1/health/models/no-such-model");
    expect(model.status).toBe(404);
    expect(model.body.error).toMatchObject({ code: "model_not_found", param: "model_name" });
    expect(model.body.error.message).toContain("no-such-model");
    for (const path of ["/v1/providers/nobody/health", "/v1/providers/nobody/performance"]) {
      const r = await get(path);
      expect(r.status).toBe(404);
      expect(r.body.error).toMatchObject({ code: "provider_not_found", type: "not_found_error" });
    }
    expect((await get("/v1/providers/up0/bogus")).status).toBe(404);
    expect((await get("/v1/health/models/%E0%A4%A")).status).toBe(404);
  });

  it("require a client key when keys are configured, and show a limited key only its models", async () => {
    const key = "sk-team-a-0123456789";
    await start({ keys: [{ name: "team-a", key, models: ["org/llama-3"] }] });
    for (const path of ["/v1/health", "/v1/health/models/gpt-4o", "/v1/providers", "/v1/providers/stats/overview"]) {
      expect((await get(path)).status).toBe(401);
    }
    const auth = { authorization: `Bearer ${key}` };
    await chat("org/llama-3", auth);
    const health = (await get("/v1/health", auth)).body;
    expect(Object.keys(health.models)).toEqual(["org/llama-3"]);
    expect(health.status).toBe("healthy");
    expect((await get("/v1/health/models/gpt-4o", auth)).status).toBe(403);
    expect((await get("/v1/providers/up1/health", auth)).status).toBe(404);
    const info = (await get("/v1/providers/up0/health", auth)).body;
    expect(info.model_details.map((d: { model_id: string }) => d.model_id)).toEqual(["org/llama-3"]);
  });
});
