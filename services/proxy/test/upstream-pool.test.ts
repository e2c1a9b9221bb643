import { connect } from "node:net";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { Agent, request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

let mock: MockUpstream;
let proxy: TestProxy | undefined;
const client = new Agent({ connections: 4_000, keepAliveTimeout: 10_000 });

beforeAll(async () => {
  mock = await startMockUpstream({ record: false });
});
afterEach(async () => {
  mock.behavior.reset();
  await proxy?.close();
  proxy = undefined;
});
afterAll(async () => {
  await mock.close();
  await client.close();
});

const body = (stream: boolean) => JSON.stringify({ model: "gpt-4o", stream, messages: [{ role: "user", content: "hi" }] });

async function chat(stream = false): Promise<{ status: number; provider: string | undefined; text: string }> {
  const r = await request(`${proxy!.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body(stream),
    dispatcher: client,
  });
  return { status: r.statusCode, provider: r.headers["x-router-provider"] as string | undefined, text: await r.body.text() };
}

async function metric(name: string, provider?: string): Promise<number> {
  const text = await (await fetch(`${proxy!.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(provider ? `${name}{provider="${provider}"}` : `${name} `));
  return Number(line?.split(" ").pop());
}

/** A raw client that sends a streaming request and then never reads the answer. */
function stalledClient(url: string): { close(): void } {
  const u = new URL(url);
  const s = connect(Number(u.port), u.hostname);
  const b = body(true);
  s.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${b.length}\r\n\r\n${b}`);
  s.pause();
  return { close: () => s.destroy() };
}

describe("upstream connection pools", () => {
  it("cuts a client that stops reading after the stall bound, freeing its upstream connection for others", async () => {
    proxy = await startTestProxy(openAIConfig([mock.baseUrl], { provider: { max_connections: 1 } }), {}, { clientStallMs: 400 });
    mock.behavior.next({ text: "x".repeat(200_000) }); // far more than the sockets between client and proxy hold
    const queued: number[] = [];
    proxy.proxy.usage.onFinished((r) => queued.push(r.queuedMs ?? 0));
    const stalled = stalledClient(proxy.url);
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(await metric("ai_router_upstream_pool_in_use", "up0")).toBe(1);
      // The one connection is held by the stalled stream: the next request waits for it, then is served.
      const t0 = performance.now();
      const next = await chat();
      expect(next.status).toBe(200);
      expect(performance.now() - t0).toBeLessThan(4_000);
      expect(await metric("ai_router_client_stalls_cut_total")).toBe(1);
      expect(await metric("ai_router_upstream_pool_waits_total", "up0")).toBe(1);
      expect(await metric("ai_router_upstream_pool_in_use", "up0")).toBe(0);
      // The served request's record says how long it waited for the connection.
      expect(Math.max(...queued)).toBeGreaterThan(300);
    } finally {
      stalled.close();
    }
  });

  it("bounds the wait for a pool connection: a 503 upstream_busy that fails over to the next provider", async () => {
    const cfg = openAIConfig([mock.baseUrl, mock.baseUrl], { provider: { max_connections: 1 }, model: { strategy: "fallback" } });
    proxy = await startTestProxy(cfg, {}, { poolWaitMs: 150 });
    mock.behavior.next({ chunkDelayMs: 600 }); // a slow stream holds up0's only connection
    const slow = chat(true);
    await new Promise((r) => setTimeout(r, 100));
    const second = await chat();
    expect(second).toMatchObject({ status: 200, provider: "up1" });
    expect(await metric("ai_router_upstream_pool_wait_timeouts_total", "up0")).toBe(1);
    expect((await slow).status).toBe(200);
    // With only one provider the client sees the 503 itself, in OpenAI's error shape.
    await proxy.close();
    proxy = await startTestProxy(openAIConfig([mock.baseUrl], { provider: { max_connections: 1 } }), {}, { poolWaitMs: 150 });
    mock.behavior.next({ chunkDelayMs: 600 });
    const slow2 = chat(true);
    await new Promise((r) => setTimeout(r, 100));
    const refused = await chat();
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text).error).toMatchObject({ type: "server_error", code: "upstream_busy" });
    expect((await slow2).status).toBe(200);
  });

  it("serves 1,000 concurrent 2-second streams through one provider without queueing (default pool)", { timeout: 60_000 }, async () => {
    const run = async (maxConnections?: number) => {
      const provider = maxConnections ? { max_connections: maxConnections, timeout_ms: 30_000 } : { timeout_ms: 30_000 };
      proxy = await startTestProxy(openAIConfig([mock.baseUrl], { provider }), {}, { poolWaitMs: 30_000 });
      mock.behavior.fallback = { chunkDelayMs: 500 }; // 5 chunks: a 2-second stream
      const times: number[] = [];
      const t0 = performance.now();
      const results = await Promise.all(
        Array.from({ length: 1_000 }, async () => {
          const s = performance.now();
          const r = await chat(true);
          times.push(performance.now() - s);
          return r.status === 200 && r.text.includes("[DONE]");
        }),
      );
      const wall = performance.now() - t0;
      times.sort((a, b) => a - b);
      const out = {
        ok: results.filter(Boolean).length,
        waits: await metric("ai_router_upstream_pool_waits_total", "up0"),
        medianMs: Math.round(times[500]!),
        maxMs: Math.round(times[999]!),
        wallMs: Math.round(wall),
      };
      await proxy.close();
      proxy = undefined;
      return out;
    };
    const now = await run();
    // STREAMS_COMPARE=1 also runs the previous default (256) for the before/after in docs/scale.md.
    const old = process.env.STREAMS_COMPARE ? await run(256) : undefined;
    console.log(
      `1,000 concurrent 2 s streams, one provider: default ${JSON.stringify(now)}${old ? `; max_connections 256 ${JSON.stringify(old)}` : ""}`,
    );
    expect(now.ok).toBe(1_000);
    expect(now.waits).toBe(0);
  });
});
