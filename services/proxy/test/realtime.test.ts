import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { makeTestCertificates } from "@ai-router/testing";
import OpenAI from "openai-v7";
import { OpenAIRealtimeWS } from "openai-v7/realtime/ws";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { RequestRecord } from "../src/record/request-record.js";
import { published, startTestProxy, type TestProxy } from "./harness.js";
import { type MockRealtime, PROVIDER_KEY, startMockRealtime } from "./mock-realtime.js";

// The Realtime API (GET /v1/realtime?model=) relayed to a mock OpenAI realtime upstream that checks the
// provider's key, and client secrets minted by the router.
const KEY = "sk-rt-client-0123456789";
const LIMITED = "sk-rt-limited-0123456789";
const REALTIME_PRICE = {
  input_per_mtok: 4,
  cached_input_per_mtok: 0.4,
  output_per_mtok: 16,
  input_audio_per_mtok: 32,
  cached_input_audio_per_mtok: 0.4,
  output_audio_per_mtok: 64,
};

let good: MockRealtime;
let down: MockRealtime;
let proxy: TestProxy;
const records: RequestRecord[] = [];

beforeAll(async () => {
  [good, down] = await Promise.all([startMockRealtime(), startMockRealtime({ refuse: true })]);
  proxy = await startTestProxy({
    providers: [
      { name: "down", type: "openai", base_url: down.url, api_key: PROVIDER_KEY },
      { name: "oai", type: "openai", base_url: good.url, api_key: PROVIDER_KEY },
    ],
    models: [
      {
        name: "rt-model",
        llm_type: "realtime",
        strategy: "priority",
        providers: [
          { provider: "down", model: "gpt-realtime", priority: 0, price: { input_per_mtok: 4, output_per_mtok: 16 } },
          // gpt-realtime's list prices, text and audio tokens apart.
          { provider: "oai", model: "gpt-realtime", priority: 1, price: REALTIME_PRICE },
        ],
      },
      { name: "chat-model", providers: [{ provider: "oai", model: "gpt-4o" }] },
    ],
    keys: [
      { name: "rt", key: KEY },
      { name: "rt-limited", key: LIMITED, rpm_limit: 1 },
    ],
  });
  proxy.proxy.onRequestFinished((r) => records.push(r));
});
afterAll(async () => {
  await proxy.close();
  await Promise.all([good.close(), down.close()]);
});
beforeEach(() => {
  records.length = 0;
});

const wsUrl = (model: string) => `${proxy.url.replace(/^http/, "ws")}/v1/realtime?model=${model}`;

async function connect(model: string, opts: WebSocket.ClientOptions, protocols?: string[]): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl(model), protocols ?? [], opts);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) =>
      reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode })),
    );
    ws.once("error", reject);
  });
  return ws;
}

/** Collects the socket's text events. */
function events(ws: WebSocket): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  ws.on("message", (d, isBinary) => {
    if (!isBinary) out.push(JSON.parse(d.toString()) as Record<string, unknown>);
  });
  return out;
}

async function until(list: Record<string, unknown>[], type: string): Promise<void> {
  await expect.poll(() => list.some((e) => e.type === type)).toBe(true);
}

describe("Realtime API", () => {
  it("relays both ways in order with the provider's key, failing over at connect; response.done is one usage record", async () => {
    const before = good.seen.length;
    const ws = await connect("rt-model", { headers: { authorization: `Bearer ${KEY}` } });
    const got = events(ws);
    // The first target refused the provider connection: the router failed over before accepting the client.
    expect(down.seen.length).toBeGreaterThan(0);
    const up = good.seen[before] as IncomingMessage;
    expect(up.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(JSON.stringify(up.headers)).not.toContain(KEY);
    expect(up.url).toBe("/v1/realtime?model=gpt-realtime");
    for (let n = 0; n < 50; n++) ws.send(JSON.stringify({ type: "echo", n }));
    ws.send(Buffer.from([1, 2, 3]));
    const bin = once(ws, "message");
    ws.send(JSON.stringify({ type: "response.create" }));
    await until(got, "response.done");
    const echoes = got.filter((e) => e.type === "echo").map((e) => e.n);
    expect(echoes).toEqual([...Array(50).keys()]);
    expect(got.map((e) => e.type).slice(-3)).toEqual(["response.created", "response.output_audio_transcript.delta", "response.done"]);
    await bin;
    await expect.poll(() => records.length).toBe(1);
    const r = records[0] as RequestRecord;
    expect(r).toMatchObject({
      endpoint: "realtime",
      model: "rt-model",
      provider: "oai",
      key: "rt",
      promptTokens: 100,
      completionTokens: 80,
      cachedTokens: 30,
    });
    // 100 input tokens: 40 text (10 of them cached), 60 audio (20 cached); 80 output: 20 text, 60 audio.
    expect(r.costUsd).toBeCloseTo((30 * 4 + 10 * 0.4 + 40 * 32 + 20 * 0.4 + 20 * 16 + 60 * 64) / 1e6, 12);
    expect(published(r).units).toEqual({ input_audio_tokens: 60, cached_input_audio_tokens: 20, output_audio_tokens: 60 });
    ws.close();
    await expect.poll(() => good.open()).toBe(0);
  });

  it("refuses before the upgrade: no key (401), a chat model (400), an unknown model (404)", async () => {
    await expect(connect("rt-model", {})).rejects.toMatchObject({ status: 401 });
    await expect(connect("chat-model", { headers: { authorization: `Bearer ${KEY}` } })).rejects.toMatchObject({ status: 400 });
    await expect(connect("nope", { headers: { authorization: `Bearer ${KEY}` } })).rejects.toMatchObject({ status: 404 });
  });

  it("a session counts as a request of the key's limits: over rpm_limit is a 429 at the upgrade", async () => {
    const first = await connect("rt-model", { headers: { authorization: `Bearer ${LIMITED}` } });
    await expect(connect("rt-model", { headers: { authorization: `Bearer ${LIMITED}` } })).rejects.toMatchObject({ status: 429 });
    first.close();
  });

  it("client secrets: minted for a key, accepted as Bearer and as the browser subprotocol, refused once tampered", async () => {
    const res = await fetch(`${proxy.url}/v1/realtime/client_secrets`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ expires_after: { anchor: "created_at", seconds: 60 }, session: { type: "realtime", model: "rt-model" } }),
    });
    expect(res.status).toBe(200);
    const secret = (await res.json()) as { value: string; expires_at: number };
    expect(secret.value).toMatch(/^ek_/);
    expect(secret.expires_at).toBeGreaterThan(Date.now() / 1000);
    const a = await connect("rt-model", { headers: { authorization: `Bearer ${secret.value}` } });
    a.close();
    const b = await connect("rt-model", {}, ["realtime", `openai-insecure-api-key.${secret.value}`]);
    expect(b.protocol).toBe("realtime");
    b.close();
    await expect(connect("rt-model", { headers: { authorization: `Bearer ${secret.value}x` } })).rejects.toMatchObject({ status: 401 });
    const noKey = await fetch(`${proxy.url}/v1/realtime/client_secrets`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(noKey.status).toBe(401);
    const bad = await fetch(`${proxy.url}/v1/realtime/client_secrets`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ expires_after: { seconds: 1e9 } }),
    });
    expect(bad.status).toBe(400);
  });

  it("the openai SDK's OpenAIRealtimeWS client (wss: the router behind TLS): a response through the router, usage recorded", async () => {
    // The SDK only speaks wss://: a TLS front whose upgrades go to the router's server.
    const certs = makeTestCertificates();
    const tls = createHttpsServer({ key: certs.serverKey, cert: certs.serverCert });
    tls.on("upgrade", (req, socket, head) => proxy.proxy.server.emit("upgrade", req, socket, head));
    await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
    const { port } = tls.address() as AddressInfo;
    const client = new OpenAI({ baseURL: `https://127.0.0.1:${port}/v1`, apiKey: KEY });
    const rt = await OpenAIRealtimeWS.create(client, { model: "rt-model", options: { ca: certs.caPem } });
    rt.on("error", () => {});
    const done = new Promise<{ response: { usage?: { total_tokens?: number } } }>((resolve) =>
      rt.on("response.done", (e) => resolve(e as never)),
    );
    rt.socket.once("open", () => rt.send({ type: "response.create" }));
    expect((await done).response.usage?.total_tokens).toBe(180);
    await expect.poll(() => records.length).toBe(1);
    expect(records[0]?.promptTokens).toBe(100);
    rt.close();
    tls.closeAllConnections();
    await new Promise<void>((resolve) => tls.close(() => resolve()));
  });
});
