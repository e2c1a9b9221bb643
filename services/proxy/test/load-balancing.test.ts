import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterEach, describe, expect, it } from "vitest";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

let a: MockUpstream;
let b: MockUpstream;
let proxy: TestProxy | undefined;

const chat = (headers: Record<string, string> = {}) =>
  fetch(`${proxy!.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], max_tokens: 100 }),
  });

const getJson = async (path: string) => {
  const r = await fetch(`${proxy!.url}${path}`);
  return { status: r.status, body: (await r.json()) as any };
};

const cheap = { input_per_mtok: 0.5, output_per_mtok: 1.5 };
const pricey = { input_per_mtok: 10, output_per_mtok: 30 };

async function start(model: Record<string, unknown>, server: Record<string, unknown> = {}) {
  a = await startMockUpstream();
  b = await startMockUpstream();
  proxy = await startTestProxy(openAIConfig([a.baseUrl, b.baseUrl], { model, server }));
}

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await a?.close();
  await b?.close();
});

describe("strategies configured per model", () => {
  it("cost_optimized sends traffic to the cheaper provider", async () => {
    await start({
      strategy: "cost_optimized",
      providers: [
        { provider: "up0", model: "gpt-4o", price: pricey },
        { provider: "up1", model: "gpt-4o", price: cheap },
      ],
    });
    for (let i = 0; i < 5; i++) expect((await chat()).headers.get("x-router-provider")).toBe("up1");
  });

  it("refuses a config whose strategy options are invalid, naming the option", async () => {
    a = await startMockUpstream();
    b = await startMockUpstream();
    await expect(
      startTestProxy(
        openAIConfig([a.baseUrl, b.baseUrl], { model: { strategy: "pareto_optimal", strategy_options: { max_eror_rate: 0.1 } } }),
      ),
    ).rejects.toThrow(/gpt-4o.*pareto_optimal.*max_eror_rate/);
  });
});

describe("x-router-decision", () => {
  it("explains the choice only when the client asks for it", async () => {
    await start({
      strategy: "pareto_optimal",
      providers: [
        { provider: "up0", model: "gpt-4o", price: pricey },
        { provider: "up1", model: "gpt-4o", price: cheap },
      ],
    });
    expect((await chat()).headers.get("x-router-decision")).toBeNull();
    const r = await chat({ "x-router-debug": "1" });
    const decision = r.headers.get("x-router-decision") ?? "";
    expect(decision).toContain("strategy=pareto_optimal");
    expect(decision).toContain(`picked ${r.headers.get("x-router-provider")}/gpt-4o`);
    expect(decision).toMatch(/order=up\d\/gpt-4o,up\d\/gpt-4o/);
  });

  it("says when a request failed over", async () => {
    await start({ strategy: "fallback" });
    a.behavior.next({ status: 503 });
    const r = await chat({ "x-router-debug": "1" });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-router-provider")).toBe("up1");
    expect(r.headers.get("x-router-decision")).toContain("attempt 2 on up1/gpt-4o after up0/gpt-4o failed");
  });
});

describe("/v1/load-balancing", () => {
  it("statistics show the strategy, each candidate's stats, breaker state and selection counts", async () => {
    await start({ strategy: "round_robin" }, { failure_threshold: 2, cooldown_ms: 60_000 });
    for (let i = 0; i < 4; i++) expect((await chat()).status).toBe(200);
    a.behavior.fallback = { status: 500 };
    for (let i = 0; i < 4; i++) expect((await chat()).status).toBe(200);
    const { status, body } = await getJson("/v1/load-balancing/statistics");
    expect(status).toBe(200);
    expect(body.total_model_providers).toBe(2);
    expect(body.strategy_distribution).toEqual({ round_robin: 2 });
    expect(body.available_strategies).toContain("pareto_optimal");
    const m = body.models[0];
    expect(m).toMatchObject({ model: "gpt-4o", strategy: "round_robin", resolved_strategy: "round_robin", selections: 8 });
    const [up0, up1] = m.candidates;
    expect(up0).toMatchObject({ provider: "up0", breaker: "open", available: false, failures: 2 });
    expect(up1).toMatchObject({ provider: "up1", breaker: "closed", failures: 0 });
    expect(up0.selections + up1.selections).toBe(8);
    expect(up1.latency_ms).toBeGreaterThan(0);
    expect(up1.tokens_per_s).toBeGreaterThan(0);
    // Once up0's breaker is open, every request goes to up1 first.
    const before = up1.selections;
    for (let i = 0; i < 3; i++) await chat();
    const after = (await getJson("/v1/load-balancing/statistics?model_name=gpt-4o")).body.models[0].candidates[1].selections;
    expect(after - before).toBe(3);
    expect((await getJson("/v1/load-balancing/statistics?model_name=nope")).status).toBe(404);
  });

  it("strategies, info and per-model strategies answer from live data", async () => {
    await start({
      strategy: "auto",
      providers: [
        { provider: "up0", model: "gpt-4o", preferred: true },
        { provider: "up1", model: "gpt-4o" },
      ],
    });
    await chat();
    const strategies = (await getJson("/v1/load-balancing/strategies")).body;
    for (const n of [
      "auto",
      "fallback",
      "least_connections",
      "response_time",
      "cost_optimized",
      "weighted_round_robin",
      "hybrid",
      "specified_provider",
    ]) {
      expect(strategies.strategies).toContain(n);
    }
    const info = (await getJson("/v1/load-balancing/info")).body;
    expect(info.counters).toMatchObject({ requests: 1, selections: 1, breakers_open: 0 });
    const links = (await getJson("/v1/load-balancing/model/gpt-4o/strategies")).body;
    expect(links).toHaveLength(2);
    expect(links[0]).toMatchObject({ provider_name: "up0", strategy: "auto", is_preferred: true, health_status: "healthy" });
    expect(links[0].overall_score).toBeGreaterThan(0.5);
    expect((await getJson("/v1/load-balancing/model/unknown/strategies")).status).toBe(404);
  });
});
