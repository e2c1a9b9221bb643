import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { RequestFinished } from "../src/pipeline/request-finished.js";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

let a: MockUpstream;
let b: MockUpstream;
let proxy: TestProxy;

afterEach(async () => {
  await proxy?.close();
  await a?.close();
  await b?.close();
});

const post = (path: string, body: object) =>
  fetch(`${proxy.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("the request-finished hook", () => {
  it("gets one record per request with the attempt chain, usage, ingress and timings", async () => {
    a = await startMockUpstream();
    b = await startMockUpstream();
    proxy = await startTestProxy(openAIConfig([a.baseUrl, b.baseUrl], { model: { strategy: "weighted_round_robin" } }));
    const seen: RequestFinished[] = [];
    proxy.proxy.onRequestFinished((r) => seen.push(r));
    a.behavior.fallback = { status: 503 };
    // Whichever target goes first, one of the two requests fails over from a (503) to b.
    for (let i = 0; i < 2; i++) {
      const r = await post("/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });
      expect(r.status).toBe(200);
    }
    expect(seen).toHaveLength(2);
    const failedOver = seen.find((r) => r.attempts.length === 2);
    expect(failedOver).toBeDefined();
    expect(failedOver!.attempts.map((x) => [x.provider, x.outcome, x.status])).toEqual([
      ["up0", "retry", 503],
      ["up1", "served", null],
    ]);
    for (const r of seen) {
      expect(r).toMatchObject({ endpoint: "chat.completions", ingress: "openai-chat", outcome: "served", status: 200, provider: "up1" });
      expect(r.usage?.total_tokens).toBeGreaterThan(0);
      expect(r.ttfbMs).toBeGreaterThan(0);
      expect(r.latencyMs).toBeGreaterThanOrEqual(r.ttfbMs!);
    }
  });

  it("records a request no target could serve as failed, with every attempt", async () => {
    a = await startMockUpstream();
    proxy = await startTestProxy(openAIConfig([a.baseUrl]));
    const seen: RequestFinished[] = [];
    proxy.proxy.onRequestFinished((r) => seen.push(r));
    a.behavior.fallback = { status: 500 };
    const r = await post("/v1/chat/completions", { model: "gpt-4o", stream: true, messages: [{ role: "user", content: "hi" }] });
    expect(r.status).toBe(500);
    expect(seen[0]).toMatchObject({ outcome: "failed", status: 500, stream: true, attempts: [{ provider: "up0", outcome: "retry" }] });
  });
});

describe("the built-in mock is a provider like the others", () => {
  const config = {
    providers: [{ name: "demo", type: "mock" }],
    models: [{ name: "demo-chat", providers: [{ provider: "demo", model: "mock-1" }] }],
  };

  it("answers chat JSON and streams (usage only when asked) through the normal parsing", async () => {
    proxy = await startTestProxy(config);
    const json = await (await post("/v1/chat/completions", { model: "demo-chat", messages: [{ role: "user", content: "Hello" }] })).json();
    expect(json.model).toBe("mock-1");
    expect(json.choices[0].message.content).toContain("You said: Hello");
    for (const include of [false, true]) {
      const res = await post("/v1/chat/completions", {
        model: "demo-chat",
        stream: true,
        ...(include ? { stream_options: { include_usage: true } } : {}),
        messages: [{ role: "user", content: "Hello" }],
      });
      expect(res.headers.get("x-router-provider")).toBe("demo");
      const text = await res.text();
      expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
      expect(text.includes('"usage":{"prompt_tokens"')).toBe(include);
    }
  });

  it("answers /v1/messages through the same translation as any OpenAI-style target", async () => {
    proxy = await startTestProxy(config);
    const res = await post("/v1/messages", { model: "demo-chat", max_tokens: 50, messages: [{ role: "user", content: "Hi there" }] });
    const m = await res.json();
    expect(m).toMatchObject({ type: "message", role: "assistant", stop_reason: "end_turn" });
    expect(m.content[0].text).toContain("You said: Hi there");
    expect(m.usage.output_tokens).toBeGreaterThan(0);
  });
});
