import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import type { RequestRecord } from "../src/record/request-record.js";
import { startTestProxy, type TestProxy } from "./harness.js";

// The Realtime API (GET /v1/realtime?model=) relayed to a mock OpenAI realtime upstream that checks the
// provider's key, and client secrets minted by the router.
const KEY = "sk-rt-client-0123456789";
const PROVIDER_KEY = "sk-provider-realtime";

interface MockRealtime {
  url: string;
  /** Upgrade requests the mock saw: their URL and headers. */
  seen: IncomingMessage[];
  /** Sockets open on the mock now. */
  open(): number;
  close(): Promise<void>;
}

/** A realtime upstream: 401 without the provider key; answers `response.create` with a response and `response.done` usage. */
async function startMockRealtime(opts: { refuse?: boolean } = {}): Promise<MockRealtime> {
  const seen: IncomingMessage[] = [];
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    seen.push(req);
    if (opts.refuse || req.headers.authorization !== `Bearer ${PROVIDER_KEY}`) {
      socket.end("HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify({ type: "session.created", session: { id: "sess_1" } }));
      ws.on("message", (data, isBinary) => {
        if (isBinary) return ws.send(data, { binary: true });
        const ev = JSON.parse(data.toString()) as { type: string; n?: number };
        if (ev.type === "echo") return ws.send(JSON.stringify({ type: "echo", n: ev.n }));
        if (ev.type !== "response.create") return;
        ws.send(JSON.stringify({ type: "response.created", response: { id: "resp_rt" } }));
        ws.send(JSON.stringify({ type: "response.output_audio_transcript.delta", delta: "hi" }));
        const usage = {
          total_tokens: 180,
          input_tokens: 100,
          output_tokens: 80,
          input_token_details: { text_tokens: 40, audio_tokens: 60, cached_tokens: 30 },
          output_token_details: { text_tokens: 20, audio_tokens: 60 },
        };
        ws.send(JSON.stringify({ type: "response.done", response: { id: "resp_rt", status: "completed", usage } }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    seen,
    open: () => wss.clients.size,
    async close() {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

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
          { provider: "oai", model: "gpt-realtime", priority: 1, price: { input_per_mtok: 4, output_per_mtok: 16 } },
        ],
      },
      { name: "chat-model", providers: [{ provider: "oai", model: "gpt-4o" }] },
    ],
    keys: [{ name: "rt", key: KEY }],
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
    expect(r.costUsd).toBeGreaterThan(0);
    ws.close();
    await expect.poll(() => good.open()).toBe(0);
  });

  it("refuses before the upgrade: no key (401), a chat model (400), an unknown model (404)", async () => {
    await expect(connect("rt-model", {})).rejects.toMatchObject({ status: 401 });
    await expect(connect("chat-model", { headers: { authorization: `Bearer ${KEY}` } })).rejects.toMatchObject({ status: 400 });
    await expect(connect("nope", { headers: { authorization: `Bearer ${KEY}` } })).rejects.toMatchObject({ status: 404 });
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
});
