import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

let a: MockUpstream;
let b: MockUpstream;
let proxy: TestProxy;

const chat = (body: Record<string, unknown> = {}) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], ...body }),
  });

async function start(extra: Parameters<typeof openAIConfig>[1] = {}) {
  a = await startMockUpstream();
  b = await startMockUpstream();
  proxy = await startTestProxy(openAIConfig([a.baseUrl, b.baseUrl], extra));
}

afterEach(async () => {
  await proxy?.close();
  await a?.close();
  await b?.close();
});

describe("failover", () => {
  beforeEach(() => start());

  it("serves every request when one provider refuses connections", async () => {
    await a.refuse();
    const results = await Promise.all(Array.from({ length: 20 }, () => chat()));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(results.every((r) => r.headers.get("x-router-provider") === "up1")).toBe(true);
  });

  it("serves every request when one provider answers 500, and cools it down", async () => {
    a.behavior.fallback = { status: 500 };
    for (let i = 0; i < 20; i++) expect((await chat()).status).toBe(200);
    // Three consecutive failures open its breaker: it is not tried for the rest of the run.
    expect(a.received("/chat/completions").length).toBe(3);
    expect(b.received("/chat/completions").length).toBe(20);
  });

  it("fails over on 429 and says how many attempts it took", async () => {
    a.behavior.fallback = { status: 429 };
    const results = [await chat(), await chat()];
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results.map((r) => r.headers.get("x-router-attempts")).sort()).toEqual(["1", "2"]);
  });

  it("returns a provider's 400 at once, without retrying elsewhere", async () => {
    a.behavior.fallback = { status: 400, message: "Invalid 'messages': bad role" };
    b.behavior.fallback = { status: 400, message: "Invalid 'messages': bad role" };
    const r = await chat();
    expect(r.status).toBe(400);
    const body = await r.json();
    expect(body.error).toMatchObject({ message: "Invalid 'messages': bad role", type: "invalid_request_error" });
    expect(a.requests.length + b.requests.length).toBe(1);
  });

  it("fails over a stream that breaks before its first byte", async () => {
    a.behavior.fallback = { destroy: true };
    for (let i = 0; i < 4; i++) {
      const r = await chat({ stream: true });
      expect(r.status).toBe(200);
      const text = await r.text();
      expect(text).toContain("Echo: hi".slice(0, 4));
      expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    }
  });

  it("reports a stream cut mid-way in-band, since bytes already reached the client", async () => {
    a.behavior.next({ cutAfterChunks: 2 });
    b.behavior.next({ cutAfterChunks: 2 });
    const r = await chat({ stream: true });
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toContain('"error"');
    expect(text).not.toContain("[DONE]");
  });

  it("passes the provider's status and message on when every candidate fails", async () => {
    a.behavior.fallback = { status: 503, message: "overloaded A" };
    b.behavior.fallback = { status: 503, message: "overloaded B" };
    const r = await chat();
    expect(r.status).toBe(503);
    expect((await r.json()).error.message).toMatch(/overloaded [AB]/);
  });
});

describe("timeouts", () => {
  beforeEach(() => start({ provider: { timeout_ms: 300 } }));

  it("serves every request when one provider times out", async () => {
    a.behavior.fallback = { delayMs: 2000 };
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: 6 }, () => chat()));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(Date.now() - t0).toBeLessThan(1900); // they did not wait for the slow provider
  });

  it("answers 504 in OpenAI's format when the only candidates time out", async () => {
    a.behavior.fallback = { delayMs: 2000 };
    b.behavior.fallback = { delayMs: 2000 };
    const r = await chat();
    expect(r.status).toBe(504);
    expect((await r.json()).error).toMatchObject({ type: "server_error", code: "upstream_timeout" });
  });
});

describe("bounded attempts", () => {
  it("stops after max_attempts", async () => {
    await start({ server: { max_attempts: 1 } });
    a.behavior.fallback = { status: 500 };
    b.behavior.fallback = { status: 500 };
    const r = await chat();
    expect(r.status).toBe(500);
    expect(a.requests.length + b.requests.length).toBe(1);
  });
});

describe("client disconnects", () => {
  it("cancel the upstream call instead of waiting for it", async () => {
    await start();
    a.behavior.fallback = { delayMs: 3000 };
    b.behavior.fallback = { delayMs: 3000 };
    const ac = new AbortController();
    const pending = chat({}).catch(() => undefined);
    void pending;
    const req = fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "slow" }] }),
      signal: ac.signal,
    }).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 150));
    expect(proxy.proxy.inFlight()).toBe(2);
    ac.abort();
    expect(await req).toBeInstanceOf(Error);
    const t0 = Date.now();
    while (proxy.proxy.inFlight() > 1 && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 20));
    expect(proxy.proxy.inFlight()).toBe(1); // the aborted one is gone long before the upstream would answer
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
