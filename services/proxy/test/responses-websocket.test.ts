import { once } from "node:events";
import { connect } from "node:net";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RequestRecord as RequestFinished } from "../src/record/request-record.js";
import { startTestProxy, type TestProxy } from "./harness.js";
import { startHeldUpstream } from "./held-upstream.js";
import { ResponsesSocket } from "./ws-client.js";

// Responses WebSocket mode (GET /v1/responses upgraded) through the router, driven on the wire as the
// openai SDK's ResponsesWS client does (test/ws-client.ts).
const KEY = "sk-ws-client-0123456789";
let chat: MockUpstream;
let claude: MockUpstream;
let oai: MockUpstream;
let proxy: TestProxy;
const finished: RequestFinished[] = [];

const weather = { type: "function", name: "get_weather", description: "Weather", parameters: { type: "object", properties: {} } };

beforeAll(async () => {
  [chat, claude, oai] = await Promise.all([startMockUpstream(), startMockUpstream(), startMockUpstream()]);
  proxy = await startTestProxy(
    {
      server: { failure_threshold: 1000 },
      providers: [
        { name: "compat", type: "openai-compatible", base_url: chat.baseUrl, api_key: "sk-compat", timeout_ms: 2000 },
        { name: "claude", type: "anthropic", base_url: claude.url, api_key: "sk-ant", timeout_ms: 2000 },
        { name: "oai", type: "openai", base_url: oai.baseUrl, api_key: "sk-oai", timeout_ms: 2000 },
      ],
      models: [
        { name: "chat-model", providers: [{ provider: "compat", model: "qwen-upstream" }] },
        { name: "claude-model", providers: [{ provider: "claude", model: "claude-upstream" }] },
        { name: "gpt-model", providers: [{ provider: "oai", model: "gpt-upstream" }] },
        {
          name: "fo-model",
          strategy: "priority",
          providers: [
            { provider: "compat", model: "qwen-upstream", priority: 0 },
            { provider: "claude", model: "claude-upstream", priority: 1 },
          ],
        },
      ],
      keys: [{ name: "ws", key: KEY }],
    },
    {},
    { proxy: () => ({ websocket: { maxSocketsPerKey: 3 } }) },
  );
  proxy.proxy.onRequestFinished((r) => finished.push(r));
});
afterAll(async () => {
  await proxy.close();
  await Promise.all([chat.close(), claude.close(), oai.close()]);
});
beforeEach(() => {
  finished.length = 0;
});

const upstreamOf = { "chat-model": () => chat, "claude-model": () => claude, "gpt-model": () => oai } as const;
const last = (events: Record<string, any>[]) => events.at(-1) as Record<string, any>;

describe.each([
  ["an OpenAI-compatible chat upstream (translated)", "chat-model"],
  ["Anthropic (translated)", "claude-model"],
  ["OpenAI (native)", "gpt-model"],
] as const)("three turns on one socket, served by %s", (_name, model) => {
  it("plain, previous_response_id with store:false, and a function-call round trip", async () => {
    const up = upstreamOf[model]();
    const s = await ResponsesSocket.open(proxy.url, KEY);
    // 1: plain. The SSE stream's events, in order, numbered from 0.
    const t1 = await s.turn({ model, input: "hello there", store: false });
    expect(t1.map((e) => e.sequence_number)).toEqual(t1.map((_, i) => i));
    expect(t1[0]?.type).toBe("response.created");
    expect(last(t1).type).toBe("response.completed");
    const text1 = t1
      .filter((e) => e.type === "response.output_text.delta")
      .map((e) => e.delta)
      .join("");
    expect(text1).toContain("hello there");
    const id1 = last(t1).response.id as string;

    // 2: continues turn 1, which was never stored: the socket holds it, the upstream gets the history.
    const t2 = await s.turn({ model, input: "and again", previous_response_id: id1, store: false });
    expect(last(t2).type).toBe("response.completed");
    const sent2 = JSON.stringify(up.requests.at(-1)?.body);
    expect(sent2).toContain("hello there");
    expect(sent2).toContain("and again");
    const id2 = last(t2).response.id as string;

    // 3: a function call, then its output answered on the same socket.
    const t3 = await s.turn({ model, input: "get_weather in Paris", tools: [weather], previous_response_id: id2, store: false });
    const call = (last(t3).response.output as Record<string, any>[]).find((o) => o.type === "function_call");
    expect(call?.name).toBe("get_weather");
    const t4 = await s.turn({
      model,
      tools: [weather],
      previous_response_id: last(t3).response.id,
      store: false,
      input: [{ type: "function_call_output", call_id: call?.call_id, output: "sunny" }],
    });
    expect(last(t4).type).toBe("response.completed");
    const sent4 = JSON.stringify(up.requests.at(-1)?.body);
    expect(sent4).toContain("sunny");
    expect(sent4).toContain("hello there");
    await s.close();
    // One usage record per response, each with its tokens.
    const turns = finished.filter((r) => r.endpoint === "responses");
    expect(turns).toHaveLength(4);
    for (const r of turns) expect(r.promptTokens).toBeGreaterThan(0);
  });
});

describe("continuations and refusals", () => {
  it("a stored response continues from another socket", async () => {
    const a = await ResponsesSocket.open(proxy.url, KEY);
    const t1 = await a.turn({ model: "chat-model", input: "remember the word kiwi" });
    await a.close();
    const b = await ResponsesSocket.open(proxy.url, KEY);
    const t2 = await b.turn({ model: "chat-model", input: "which word?", previous_response_id: last(t1).response.id });
    expect(last(t2).type).toBe("response.completed");
    expect(JSON.stringify(chat.requests.at(-1)?.body)).toContain("kiwi");
    await b.close();
  });

  it("an unknown previous_response_id is an error event; the socket stays usable", async () => {
    const s = await ResponsesSocket.open(proxy.url, KEY);
    const t = await s.turn({ model: "chat-model", input: "x", previous_response_id: "resp_nope", store: false });
    expect(last(t)).toMatchObject({ type: "error", status: 400, error: { code: "previous_response_not_found" } });
    const bad = s.events.length;
    s.ws.send("{not json");
    expect(last(await s.until((e) => e.type === "error", bad)).error.code).toBe("invalid_json");
    s.send({ type: "session.update" });
    expect(last(await s.until((e) => e.type === "error", bad + 1)).error.code).toBe("unknown_event_type");
    expect(last(await s.turn({ model: "chat-model", input: "still here" })).type).toBe("response.completed");
    await s.close();
  });

  it("a turn fails over before its first event: the client sees one clean stream from the next target", async () => {
    const s = await ResponsesSocket.open(proxy.url, KEY);
    chat.behavior.next({ status: 500 });
    const t = await s.turn({ model: "fo-model", input: "fail over please", store: false });
    expect(t.map((e) => e.sequence_number)).toEqual(t.map((_, i) => i));
    expect(last(t).type).toBe("response.completed");
    const r = finished.at(-1);
    expect(r?.provider).toBe("claude");
    expect(r?.attempts.map((a) => a.outcome)).toEqual(["retry", "served"]);
    await s.close();
  });

  it("no key, a wrong key: 401 before the upgrade", async () => {
    await expect(ResponsesSocket.open(proxy.url)).rejects.toMatchObject({ status: 401 });
    await expect(ResponsesSocket.open(proxy.url, "sk-wrong-000000000000")).rejects.toMatchObject({ status: 401 });
  });

  it("over the key's socket limit: 429 at the upgrade, accepted again once one closes", async () => {
    const open = await Promise.all([1, 2, 3].map(() => ResponsesSocket.open(proxy.url, KEY)));
    const refused = await ResponsesSocket.open(proxy.url, KEY).catch((e: { status: number; body: string }) => e);
    expect(refused).toMatchObject({ status: 429 });
    expect(JSON.parse((refused as { body: string }).body).error.message).toMatch(/open WebSockets/);
    await open[0]?.close();
    const again = await ResponsesSocket.open(proxy.url, KEY);
    await Promise.all([again, ...open.slice(1)].map((s) => s?.close()));
  });

  it("handshakes the WebSocket layer refuses do not use up the key's sockets", async () => {
    const { port } = new URL(proxy.url);
    for (let i = 0; i < 4; i++) {
      const sock = connect(Number(port), "127.0.0.1");
      sock.write(
        `GET /v1/responses HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: bad\r\nAuthorization: Bearer ${KEY}\r\n\r\n`,
      );
      let answer = "";
      sock.on("data", (c: Buffer) => (answer += c));
      await once(sock, "close");
      expect(answer).toMatch(/^HTTP\/1.1 400/);
    }
    const open = await Promise.all([1, 2, 3].map(() => ResponsesSocket.open(proxy.url, KEY)));
    await Promise.all(open.map((s) => s.close()));
  });

  it("an unknown WebSocket path is refused with 404", async () => {
    await expect(ResponsesSocket.open(proxy.url, KEY, "/v1/chat/completions")).rejects.toMatchObject({ status: 404 });
  });
});

describe("a socket killed mid-turn, and shutdown", () => {
  it("leaves one usage record and no upstream connection open", async () => {
    const held = await startHeldUpstream();
    const p = await startTestProxy({
      providers: [{ name: "h", type: "openai-compatible", base_url: held.baseUrl, api_key: "sk-h", timeout_ms: 5000 }],
      models: [{ name: "m", providers: [{ provider: "h" }] }],
    });
    const records: RequestFinished[] = [];
    const recorded = new Promise<void>((resolve) =>
      p.proxy.onRequestFinished((r) => {
        records.push(r);
        resolve();
      }),
    );
    const s = await ResponsesSocket.open(p.url);
    s.send({ type: "response.create", model: "m", input: "hold me" });
    await s.until((e) => e.type === "response.output_text.delta");
    expect(held.open).toBe(1);
    s.ws.terminate();
    await recorded;
    expect(records).toHaveLength(1);
    expect(records[0]?.status).toBe(499);
    await expect.poll(() => held.open).toBe(0);
    await p.close();
    await held.close();
  });

  it("SIGTERM: the turn in flight finishes, then the socket closes with 1001", async () => {
    const held = await startHeldUpstream();
    const p = await startTestProxy({
      providers: [{ name: "h", type: "openai-compatible", base_url: held.baseUrl, api_key: "sk-h", timeout_ms: 5000 }],
      models: [{ name: "m", providers: [{ provider: "h" }] }],
    });
    const s = await ResponsesSocket.open(p.url);
    s.send({ type: "response.create", model: "m", input: "hold me" });
    await s.until((e) => e.type === "response.output_text.delta");
    const down = p.proxy.shutdown(5000);
    // New sockets are refused while draining.
    await expect(ResponsesSocket.open(p.url)).rejects.toBeDefined();
    held.release();
    const done = await s.until((e) => e.type === "response.completed");
    expect(last(done).response.status).toBe("completed");
    if (!s.closed) await once(s.ws, "close");
    expect(s.closed?.code).toBe(1001);
    await down;
    await held.close();
  });
});

describe("operation limits", () => {
  it("an idle socket is closed (1000, idle timeout); a message over the limit closes with 1009", async () => {
    const p = await startTestProxy(
      {
        providers: [{ name: "c", type: "openai-compatible", base_url: chat.baseUrl, api_key: "sk-c" }],
        models: [{ name: "m", providers: [{ provider: "c" }] }],
      },
      {},
      { proxy: () => ({ websocket: { idleMs: 300, maxMessageBytes: 4096 } }) },
    );
    const idle = await ResponsesSocket.open(p.url);
    await once(idle.ws, "close");
    expect(idle.closed).toEqual({ code: 1000, reason: "idle timeout" });
    const big = await ResponsesSocket.open(p.url);
    big.send({ type: "response.create", model: "m", input: "x".repeat(5000) });
    await once(big.ws, "close");
    expect(big.closed?.code).toBe(1009);
    expect(p.proxy.sockets()).toBe(0);
    // /metrics: open sockets per endpoint, refused upgrades per status.
    const open = await ResponsesSocket.open(p.url);
    await expect(ResponsesSocket.open(p.url, undefined, "/v1/nowhere")).rejects.toMatchObject({ status: 404 });
    const metrics = await (await fetch(`${p.url}/metrics`)).text();
    expect(metrics).toContain('ai_router_websocket_connections{endpoint="responses"} 1');
    expect(metrics).toContain('ai_router_websocket_upgrades_refused_total{status="404"} 1');
    await open.close();
    await p.close();
  });
});
