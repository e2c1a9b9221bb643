import { connect } from "node:net";
import type { UsageRecord } from "@ai-router/contracts";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { Agent, request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openAIConfig, published, startTestProxy, type TestProxy } from "./harness.js";
import { type HeldUpstream, startHeldUpstream } from "./held-upstream.js";

let mock: MockUpstream;
let proxy: TestProxy | undefined;
const client = new Agent({ connections: 4_000, keepAliveTimeout: 10_000 });
/** Usage records of the proxies started with `recording()`. */
const records: UsageRecord[] = [];
const held: HeldUpstream[] = [];

async function startHeld(opts: { hold?: boolean } = {}): Promise<HeldUpstream> {
  const up = await startHeldUpstream(opts);
  held.push(up);
  return up;
}

const recording = () => ({ proxy: () => ({ replica: "r1", usageSink: { write: (r) => records.push(published(r)) } }) });

/** Polls `cond` until it holds or `timeoutMs` passes (the assertions after it say what was seen). */
async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond()) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
}

beforeAll(async () => {
  mock = await startMockUpstream({ record: false });
});
afterEach(async () => {
  mock.behavior.reset();
  const ups = held.splice(0);
  for (const up of ups) up.release();
  await proxy?.close();
  proxy = undefined;
  await Promise.all(ups.map((up) => up.close()));
  records.length = 0;
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

  // The tests below hold upstream streams open until released, so what they assert (how many streams are
  // in flight upstream at once, how many wait, how long a wait may last) does not depend on timing.

  it("has 1,000 concurrent streams through one provider in flight upstream at once on the default pool: none waits", {
    timeout: 60_000,
  }, async () => {
    const up = await startHeld();
    proxy = await startTestProxy(openAIConfig([up.baseUrl], { provider: { timeout_ms: 60_000 } }), {}, recording());
    const n = 1_000; // the load; the previous default pool (256) let 256 through and queued the rest
    const streams = Array.from({ length: n }, () => chat(true));
    await until(() => up.open === n, 20_000);
    expect({ openUpstream: up.open, maxOpenUpstream: up.maxOpen }).toEqual({ openUpstream: n, maxOpenUpstream: n });
    expect(await metric("ai_router_upstream_pool_size", "up0")).toBe(1_024);
    expect(await metric("ai_router_upstream_pool_in_use", "up0")).toBe(n);
    expect(await metric("ai_router_upstream_pool_queued", "up0")).toBe(0);
    up.release();
    const results = await Promise.all(streams);
    expect(results.filter((r) => r.status === 200 && r.text.includes("[DONE]"))).toHaveLength(n);
    expect(await metric("ai_router_upstream_pool_waits_total", "up0")).toBe(0);
    expect(await metric("ai_router_upstream_pool_in_use", "up0")).toBe(0);
    await until(() => records.length === n, 5_000);
    expect(records.filter((r) => r.queued_ms !== 0)).toEqual([]);
  });

  it("queues the streams beyond the pool in sight: the queue metric while they wait, queued_ms in their records", async () => {
    const up = await startHeld();
    const cfg = openAIConfig([up.baseUrl], { provider: { max_connections: 4, timeout_ms: 60_000 } });
    proxy = await startTestProxy(cfg, {}, { poolWaitMs: 60_000, ...recording() });
    const streams = Array.from({ length: 6 }, () => chat(true));
    await until(async () => up.open === 4 && (await metric("ai_router_upstream_pool_queued", "up0")) === 2, 10_000);
    await new Promise((r) => setTimeout(r, 100)); // the two queued requests wait at least this long
    expect(up.open).toBe(4); // never more than the pool
    expect(await metric("ai_router_upstream_pool_in_use", "up0")).toBe(4);
    expect(await metric("ai_router_upstream_pool_queued", "up0")).toBe(2);
    up.release();
    const results = await Promise.all(streams);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(up.maxOpen).toBe(4);
    expect(await metric("ai_router_upstream_pool_queued", "up0")).toBe(0);
    expect(await metric("ai_router_upstream_pool_waits_total", "up0")).toBe(2);
    expect(await metric("ai_router_upstream_pool_wait_ms_total", "up0")).toBeGreaterThanOrEqual(200);
    await until(() => records.length === 6, 5_000);
    const queued = records.map((r) => r.queued_ms).sort((a, b) => a - b);
    expect(queued.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(queued[4]).toBeGreaterThanOrEqual(100);
  });

  it("bounds the wait for a pool connection: a 503 upstream_busy after the configured wait, failing over to the next provider", async () => {
    const busy = await startHeld();
    const free = await startHeld({ hold: false });
    const cfg = openAIConfig([busy.baseUrl, free.baseUrl], {
      provider: { max_connections: 2, timeout_ms: 60_000 },
      model: { strategy: "fallback" },
    });
    proxy = await startTestProxy(cfg, {}, { poolWaitMs: 300, ...recording() });
    const holding = [chat(true), chat(true)]; // up0's two connections, held
    await until(() => busy.open === 2, 10_000);
    const t0 = performance.now();
    const third = await chat(true);
    const waited = performance.now() - t0;
    expect(third).toMatchObject({ status: 200, provider: "up1" });
    expect(third.text).toContain("[DONE]");
    expect(waited).toBeGreaterThanOrEqual(295); // it waited the configured 300 ms for up0, no less
    expect(busy.open).toBe(2); // and never reached up0
    expect(await metric("ai_router_upstream_pool_wait_timeouts_total", "up0")).toBe(1);
    await until(() => records.length === 1, 5_000);
    expect(records[0]).toMatchObject({ status: 200, provider: "up1" });
    expect(records[0]!.attempts.map((a) => a.error_code ?? null)).toEqual(["upstream_busy", null]);
    expect(records[0]!.queued_ms).toBeGreaterThanOrEqual(295);
    busy.release();
    expect((await Promise.all(holding)).map((r) => [r.status, r.provider])).toEqual([
      [200, "up0"],
      [200, "up0"],
    ]);

    // With only one provider the client sees the 503 itself, in OpenAI's error shape, after the same wait.
    await proxy.close();
    const alone = await startHeld();
    proxy = await startTestProxy(
      openAIConfig([alone.baseUrl], { provider: { max_connections: 1, timeout_ms: 60_000 } }),
      {},
      {
        poolWaitMs: 300,
        ...recording(),
      },
    );
    records.length = 0;
    const held = chat(true);
    await until(() => alone.open === 1, 10_000);
    const t1 = performance.now();
    const refused = await chat(true);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(295);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text).error).toMatchObject({ type: "server_error", code: "upstream_busy" });
    await until(() => records.length === 1, 5_000);
    expect(records[0]).toMatchObject({ status: 503, error_code: "upstream_busy" });
    expect(records[0]!.queued_ms).toBeGreaterThanOrEqual(295);
    alone.release();
    expect((await held).status).toBe(200);
  });
});
