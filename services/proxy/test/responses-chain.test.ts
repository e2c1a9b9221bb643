import { randomBytes } from "node:crypto";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryResponseStore, RedisResponseStore, type ResponseStore } from "../src/responses/store.js";
import { startTestProxy, type TestProxy } from "./harness.js";

// `previous_response_id` stored the whole conversation again at every turn: 8 turns of 2 MB took Redis
// from 2 MB to 250 MB, and the assembled prompt (~30 MB) bypassed max_body_bytes. Each turn is now
// stored once, linked to its parent, and the assembled conversation is bounded.
const MB = 1_000_000;
const LIMIT = 20 * 1024 * 1024;
let up: MockUpstream;
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
const prefix = `ai-router:test-chain-${randomBytes(4).toString("hex")}:responses:`;

beforeAll(async () => {
  up = await startMockUpstream();
  up.behavior.fallback = { text: "noted" };
});
afterAll(async () => {
  await up.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

type Message = { role: string; content: string | { text: string }[] };
const lastMessages = () => (up.received("/chat/completions").at(-1)?.body as { messages: Message[] } | undefined)?.messages ?? [];
const textOf = (c: Message["content"]) => (typeof c === "string" ? c : c.map((p) => p.text).join(""));

async function redisBytes(): Promise<number> {
  const keys = await redis.keys(`${prefix}*`);
  let n = 0;
  for (const k of keys) n += await redis.strlen(k);
  return n;
}

const memory = new MemoryResponseStore({ ttlMs: 60_000, maxEntries: 1000 });
const stores: [string, ResponseStore, () => Promise<number>][] = [
  ["memory", memory, async () => memory.bytes],
  ["Redis", new RedisResponseStore(redis.duplicate(), prefix, 60_000), redisBytes],
];

describe.each(stores)("previous_response_id chains (%s store)", (_name, store, storedBytes) => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startTestProxy(
      {
        server: { max_body_bytes: LIMIT },
        providers: [{ name: "up", type: "openai-compatible", base_url: up.baseUrl, api_key: "sk-up", timeout_ms: 10_000 }],
        models: [{ name: "m", providers: [{ provider: "up", model: "m" }] }],
      },
      {},
      { proxy: () => ({ responses: { store } }) },
    );
  });
  afterAll(async () => {
    await proxy.close();
  });

  const create = (body: Record<string, unknown>) =>
    fetch(`${proxy.url}/v1/responses`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("store each turn once (storage linear in the turns), assemble the whole conversation, and refuse one over max_body_bytes", async () => {
    const before = await storedBytes();
    let previous: string | undefined;
    const growth: number[] = [];
    for (let turn = 1; turn <= 8; turn++) {
      const input = `turn ${turn} `.padEnd(2 * MB, String(turn));
      const res = await create({ model: "m", input, ...(previous ? { previous_response_id: previous } : {}) });
      expect(res.status, `turn ${turn}`).toBe(200);
      previous = ((await res.json()) as { id: string }).id;
      growth.push((await storedBytes()) - before - growth.reduce((a, b) => a + b, 0));
    }
    console.log(`${_name}: bytes stored per turn ${growth.map((g) => (g / MB).toFixed(2)).join(", ")} MB`);
    // Each turn adds its own 2 MB, never the conversation again (it added 2, 4, 6, ... 16 MB before).
    for (const g of growth) expect(g).toBeGreaterThan(2 * MB);
    for (const g of growth) expect(g).toBeLessThan(2.1 * MB);
    // The eighth turn's upstream prompt held all eight inputs and the seven answers, in order.
    const messages = lastMessages();
    expect(messages.map((m) => m.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
    ]);
    expect(messages.filter((m) => m.role === "user").map((m) => textOf(m.content).slice(0, 6))).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((t) => `turn ${t}`),
    );

    // 16 MB stored + 5 MB more is past the 20 MiB limit: a 400 naming it, nothing sent upstream.
    const sent = up.requests.length;
    const over = await create({ model: "m", input: "x".repeat(5 * MB), previous_response_id: previous });
    expect(over.status).toBe(400);
    expect(((await over.json()) as { error: unknown }).error).toMatchObject({
      type: "invalid_request_error",
      param: "previous_response_id",
      code: "conversation_too_large",
      message: expect.stringContaining(`${LIMIT} bytes, the request body limit (max_body_bytes)`),
    });
    expect(up.requests.length).toBe(sent);
    // The same input on its own is within the limit.
    expect((await create({ model: "m", input: "x".repeat(5 * MB), store: false })).status).toBe(200);
  }, 60_000);

  it("a conversation whose earlier turn was deleted answers 400 previous_response_not_found naming it", async () => {
    const first = (await (await create({ model: "m", input: "one" })).json()) as { id: string };
    const second = (await (await create({ model: "m", input: "two", previous_response_id: first.id })).json()) as { id: string };
    expect((await fetch(`${proxy.url}/v1/responses/${first.id}`, { method: "DELETE" })).status).toBe(200);
    const res = await create({ model: "m", input: "three", previous_response_id: second.id });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "previous_response_not_found",
      message: expect.stringContaining(first.id),
    });
  });
});

describe("entries written before chains", () => {
  it("are still read: a whole-conversation entry continues as before", async () => {
    const legacy = new MemoryResponseStore({ ttlMs: 60_000, maxEntries: 10 });
    await legacy.put("resp_old", {
      owner: "",
      response: {
        id: "resp_old",
        object: "response",
        output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "B" }] }],
      },
      input: [{ id: "msg_1", type: "message", role: "user", content: "A" }],
      conversation: [
        { type: "message", role: "user", content: "A" },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "B" }] },
      ],
    });
    const proxy = await startTestProxy(
      {
        providers: [{ name: "up", type: "openai-compatible", base_url: up.baseUrl, api_key: "sk-up", timeout_ms: 5000 }],
        models: [{ name: "m", providers: [{ provider: "up", model: "m" }] }],
      },
      {},
      { proxy: () => ({ responses: { store: legacy } }) },
    );
    try {
      const res = await fetch(`${proxy.url}/v1/responses`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "m", input: "C", previous_response_id: "resp_old" }),
      });
      expect(res.status).toBe(200);
      expect(lastMessages().map((m) => [m.role, textOf(m.content)])).toEqual([
        ["user", "A"],
        ["assistant", "B"],
        ["user", "C"],
      ]);
    } finally {
      await proxy.close();
    }
  });
});

describe("a response evicted from a full memory store", () => {
  it("answers 404 in OpenAI's format naming it, while the newest is still retrieved", async () => {
    const small = new MemoryResponseStore({ ttlMs: 60_000, maxEntries: 100, maxBytes: 1024 * 1024 });
    const proxy = await startTestProxy(
      {
        providers: [{ name: "up", type: "openai-compatible", base_url: up.baseUrl, api_key: "sk-up", timeout_ms: 5000 }],
        models: [{ name: "m", providers: [{ provider: "up", model: "m" }] }],
      },
      {},
      { proxy: () => ({ responses: { store: small } }) },
    );
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${proxy.url}/v1/responses`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "m", input: "z".repeat(400_000) }),
        });
        ids.push(((await res.json()) as { id: string }).id);
      }
      expect(small.bytes).toBeLessThanOrEqual(1024 * 1024);
      const gone = await fetch(`${proxy.url}/v1/responses/${ids[0]}`);
      expect(gone.status).toBe(404);
      expect(await gone.json()).toEqual({
        error: {
          message: `Response with id '${ids[0]}' not found.`,
          type: "invalid_request_error",
          param: null,
          code: "response_not_found",
        },
      });
      expect((await fetch(`${proxy.url}/v1/responses/${ids[2]}`)).status).toBe(200);
    } finally {
      await proxy.close();
    }
  });
});

describe("previous_response_id is bounded", () => {
  it("an id that no store could hold (10 KB, or not an id) is a 400 naming the field, without echoing it", async () => {
    const proxy = await startTestProxy({
      providers: [{ name: "up", type: "openai-compatible", base_url: up.baseUrl, api_key: "sk-up", timeout_ms: 5000 }],
      models: [{ name: "m", providers: [{ provider: "up", model: "m" }] }],
    });
    try {
      for (const id of ["resp_".padEnd(10_000, "a"), "resp_../../x", ""]) {
        const res = await fetch(`${proxy.url}/v1/responses`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "m", input: "x", previous_response_id: id }),
        });
        expect(res.status).toBe(400);
        const text = await res.text();
        expect(JSON.parse(text).error).toMatchObject({ param: "previous_response_id" });
        expect(text.length).toBeLessThan(500);
      }
    } finally {
      await proxy.close();
    }
  });
});
