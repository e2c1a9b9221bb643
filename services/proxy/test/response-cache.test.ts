import { createHash } from "node:crypto";
import type { UsageRecord } from "@ai-router/contracts";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ResponseCaches } from "../src/response-cache/model-caches.js";
import { published, startTestProxy, type TestProxy } from "./harness.js";
import { ResponsesSocket } from "./ws-client.js";

// The exact-match response cache through the proxy: JSON and streams of every front-door format,
// replayed whole; what the client's cache-control says; per key; TTL on an injected clock; records.
let oai: MockUpstream;
let claude: MockUpstream;
let gem: MockUpstream;
let proxy: TestProxy;
let now = Date.UTC(2026, 11, 7);
const records: UsageRecord[] = [];
const KEY_A = "sk-router-cache-a";
const KEY_B = "sk-router-cache-b";
const KEY_LIMITED = "sk-router-cache-limited";
const price = { input_per_mtok: 2.5, output_per_mtok: 10 };
const cache = { ttl_s: 60 };

beforeAll(async () => {
  [oai, claude, gem] = await Promise.all([startMockUpstream(), startMockUpstream(), startMockUpstream()]);
  proxy = await startTestProxy(
    {
      server: { failure_threshold: 1000 },
      providers: [
        { name: "oai", type: "openai-compatible", base_url: oai.baseUrl, api_key: "sk-oai", timeout_ms: 2000 },
        { name: "claude", type: "anthropic", base_url: claude.url, api_key: "sk-ant-up", timeout_ms: 2000 },
        { name: "gem", type: "gemini", base_url: `${gem.url}/v1beta`, api_key: "AIza-up", timeout_ms: 2000 },
      ],
      models: [
        { name: "gpt-cached", cache, providers: [{ provider: "oai", model: "gpt-4o-up", price }] },
        { name: "gpt-shared", cache: { ttl_s: 60, shared: true }, providers: [{ provider: "oai", model: "gpt-4o-up", price }] },
        { name: "gpt-plain", providers: [{ provider: "oai", model: "gpt-4o-up", price }] },
        { name: "claude-cached", cache, providers: [{ provider: "claude", model: "claude-up", price }] },
        { name: "gemini-cached", cache, providers: [{ provider: "gem", model: "gemini-2.5-flash", price }] },
      ],
      keys: [
        { name: "a", key: KEY_A },
        { name: "b", key: KEY_B },
        { name: "limited", key: KEY_LIMITED, rpm_limit: 3, budget_usd: 5 },
      ],
    },
    {},
    {
      responseCaches: new ResponseCaches({ now: () => now }),
      proxy: () => ({ usageSink: { write: (r) => void records.push(published(r)) } }),
    },
  );
});
afterAll(async () => {
  await proxy.close();
  await Promise.all([oai.close(), claude.close(), gem.close()]);
});
beforeEach(() => {
  for (const u of [oai, claude, gem]) {
    u.requests.length = 0;
    u.behavior.reset();
  }
  records.length = 0;
  // Each test starts past every entry an earlier test stored.
  now += 3_600_000;
});

const calls = (u: MockUpstream) => u.requests.filter((r) => r.method === "POST").length;
const openai = (key = KEY_A) => new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: key, maxRetries: 0 });
const anthropic = () => new Anthropic({ baseURL: proxy.url, apiKey: KEY_A, maxRetries: 0 });
const gemini = () => new GoogleGenAI({ apiKey: KEY_A, httpOptions: { baseUrl: proxy.url } });

async function post(path: string, body: unknown, key = KEY_A, headers: Record<string, string> = {}) {
  const res = await fetch(`${proxy.url}${path}`, {
    method: "POST",
    headers: Object.assign({ authorization: `Bearer ${key}`, "content-type": "application/json" }, headers),
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, cache: res.headers.get("x-router-cache"), text: await res.text() };
}
const chat = (content: string, model = "gpt-cached") => ({ model, messages: [{ role: "user", content }], temperature: 0.2 });
const contentOf = (text: string) => (JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0]?.message.content;

describe("response cache: JSON", () => {
  it("answers the same request again (keys in another order, defaults spelled out) without calling the provider", async () => {
    const first = await post("/v1/chat/completions", chat("cache me"));
    expect(first).toMatchObject({ status: 200, cache: "miss" });
    const again = await post(
      "/v1/chat/completions",
      `{"temperature":0.2,"n":1,"user":"someone","messages":[{"content":"cache me","role":"user"}],"model":"gpt-cached"}`,
    );
    expect(again).toMatchObject({ status: 200, cache: "hit" });
    expect(again.text).toBe(first.text);
    expect(calls(oai)).toBe(1);
    const other = await post("/v1/chat/completions", { ...chat("cache me"), temperature: 0.3 });
    expect(other.cache).toBe("miss");
    expect(calls(oai)).toBe(2);
  });

  it("a model without a cache: no header, every request reaches the provider", async () => {
    const a = await post("/v1/chat/completions", chat("plain", "gpt-plain"));
    const b = await post("/v1/chat/completions", chat("plain", "gpt-plain"));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.cache, b.cache]).toEqual([null, null]);
    expect(calls(oai)).toBe(2);
  });

  it("stores only answers served whole: never an error, never a stream cut mid-way", async () => {
    oai.behavior.next({ status: 400, message: "bad" });
    expect((await post("/v1/chat/completions", chat("error first"))).status).toBe(400);
    expect((await post("/v1/chat/completions", chat("error first"))).cache).toBe("miss");
    oai.behavior.next({ cutAfterChunks: 2 });
    const cut = await post("/v1/chat/completions", { ...chat("cut stream"), stream: true });
    expect(cut.text).not.toContain("[DONE]");
    const next = await post("/v1/chat/completions", { ...chat("cut stream"), stream: true });
    expect(next.cache).toBe("miss");
    expect(next.text).toContain("data: [DONE]");
    // The whole stream stored by that miss serves a JSON request of the same (assembled).
    expect((await post("/v1/chat/completions", chat("cut stream"))).cache).toBe("hit");
  });
});

describe("response cache: streams replayed in the client's format", () => {
  it("OpenAI chat: a cached stream, and a cached JSON answer rendered as a stream, parse with the openai SDK", async () => {
    const client = openai();
    const read = async (content: string) => {
      const { data, response } = await client.chat.completions
        .create({ ...chat(content), stream: true, stream_options: { include_usage: true } } as never)
        .withResponse();
      let text = "";
      let finish: string | null | undefined;
      let usage: unknown;
      for await (const c of data as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) {
        text += c.choices[0]?.delta.content ?? "";
        finish ??= c.choices[0]?.finish_reason;
        usage ??= c.usage ?? undefined;
      }
      return { text, finish, usage, cache: response.headers.get("x-router-cache") };
    };
    const miss = await read("stream twice");
    const hit = await read("stream twice");
    expect(hit).toEqual({ ...miss, cache: "hit" });
    expect(miss.cache).toBe("miss");
    expect(hit.usage).toMatchObject({ prompt_tokens: expect.any(Number) });
    expect(calls(oai)).toBe(1);

    const json = await client.chat.completions.create(chat("json then stream") as never);
    const rendered = await read("json then stream");
    expect(rendered).toMatchObject({ text: json.choices[0]?.message.content, finish: "stop", cache: "hit" });
    expect(rendered.usage).toEqual(json.usage);
    expect(calls(oai)).toBe(2);
  });

  it("Anthropic messages: streams replayed (native target), and a JSON answer rendered as a stream, per @anthropic-ai/sdk", async () => {
    const client = anthropic();
    const params = { model: "claude-cached", max_tokens: 64, messages: [{ role: "user" as const, content: "anthropic cached" }] };
    const miss = await client.messages.stream(params).finalMessage();
    const hit = await client.messages.stream(params).finalMessage();
    expect(hit).toEqual(miss);
    expect(calls(claude)).toBe(1);
    const q = { ...params, messages: [{ role: "user" as const, content: "anthropic json first" }] };
    const json = await client.messages.create(q);
    const stream = client.messages.stream(q);
    const events: string[] = [];
    stream.on("streamEvent", (e) => events.push(e.type));
    const rendered = await stream.finalMessage();
    expect(rendered.content).toEqual(json.content);
    expect(rendered.stop_reason).toBe(json.stop_reason);
    expect(events.at(0)).toBe("message_start");
    expect(events.at(-1)).toBe("message_stop");
    expect(calls(claude)).toBe(2);
    // Anthropic's format on an OpenAI-served model: translated on the miss, replayed on the hit.
    const translated = { ...params, model: "gpt-cached" };
    const a = await client.messages.stream(translated).finalMessage();
    const b = await client.messages.stream(translated).finalMessage();
    expect(b.content).toEqual(a.content);
    expect(calls(oai)).toBe(1);
  });

  it("Responses: a JSON answer replayed as the event stream the openai SDK assembles; a stream replayed as it was", async () => {
    const client = openai();
    const input = "responses cached";
    const json = await client.responses.create({ model: "gpt-cached", input, temperature: 0.2 });
    const stream = client.responses.stream({ model: "gpt-cached", input, temperature: 0.2 });
    const types: string[] = [];
    stream.on("event", (e) => types.push(e.type));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(json.output_text);
    expect(final.id).toBe(json.id);
    expect(types).toContain("response.output_text.delta");
    expect(types.at(-1)).toBe("response.completed");
    const s1 = await client.responses.stream({ model: "gpt-cached", input: "responses streamed", temperature: 0.2 }).finalResponse();
    const s2 = await client.responses.stream({ model: "gpt-cached", input: "responses streamed", temperature: 0.2 }).finalResponse();
    expect(s2.output_text).toBe(s1.output_text);
    expect(calls(oai)).toBe(2);
  });

  it("Gemini: generateContent then generateContentStream (native target), and a stream twice, per @google/genai", async () => {
    const sdk = gemini();
    const json = await sdk.models.generateContent({ model: "gemini-cached", contents: "gemini cached" });
    const read = async (contents: string) => {
      let text = "";
      let finish: unknown;
      for await (const c of await sdk.models.generateContentStream({ model: "gemini-cached", contents })) {
        text += c.text ?? "";
        finish = c.candidates?.[0]?.finishReason ?? finish;
      }
      return { text, finish };
    };
    expect(await read("gemini cached")).toEqual({ text: json.text, finish: "STOP" });
    const s1 = await read("gemini streamed");
    expect(await read("gemini streamed")).toEqual(s1);
    expect(calls(gem)).toBe(2);
    expect(records.filter((r) => r.cache_hit).length).toBe(2);
  });
});

describe("response cache: a streamed answer assembled into JSON", () => {
  it("serves a JSON request of the same from a cached stream, in every format", async () => {
    const chatParams = { ...chat("streamed first"), stream: true as const };
    let streamed = "";
    for await (const c of await openai().chat.completions.create(chatParams)) streamed += c.choices[0]?.delta.content ?? "";
    const { data: json, response } = await openai().chat.completions.create(chat("streamed first")).withResponse();
    expect(response.headers.get("x-router-cache")).toBe("hit");
    expect(json).toMatchObject({
      object: "chat.completion",
      choices: [{ message: { role: "assistant", content: streamed }, finish_reason: "stop" }],
    });
    expect(json.usage?.total_tokens).toBeGreaterThan(0);

    const a = { model: "claude-cached", max_tokens: 64, messages: [{ role: "user" as const, content: "anthropic streamed first" }] };
    const fromStream = await anthropic().messages.stream(a).finalMessage();
    const { id, content, stop_reason, usage } = fromStream;
    expect(await anthropic().messages.create(a)).toMatchObject({ id, content, stop_reason, usage });

    const r = { model: "gpt-cached", input: "responses streamed first", temperature: 0.2 };
    const rs = await openai().responses.stream(r).finalResponse();
    const rj = await openai().responses.create(r);
    expect([rj.id, rj.output_text]).toEqual([rs.id, rs.output_text]);

    let gtext = "";
    for await (const c of await gemini().models.generateContentStream({ model: "gemini-cached", contents: "gemini streamed first" }))
      gtext += c.text ?? "";
    const gj = await gemini().models.generateContent({ model: "gemini-cached", contents: "gemini streamed first" });
    expect(gj.text).toBe(gtext);
    expect(gj.candidates?.[0]?.finishReason).toBe("STOP");

    expect([calls(oai), calls(claude), calls(gem)]).toEqual([2, 1, 1]);
    expect(records.filter((x) => x.cache_hit)).toHaveLength(4);
  });
});

describe("response cache: tool calls rendered from JSON into streams", () => {
  const fn = { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } };

  it("OpenAI chat: the tool calls the SDK's stream helper assembles are the JSON answer's", async () => {
    const client = openai();
    const params = {
      model: "gpt-cached",
      temperature: 0.2,
      messages: [{ role: "user" as const, content: "weather in Paris" }],
      tools: [{ type: "function" as const, function: fn }],
    };
    const json = await client.chat.completions.create(params);
    expect(json.choices[0]?.finish_reason).toBe("tool_calls");
    const final = await client.chat.completions.stream(params).finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls).toEqual(json.choices[0]?.message.tool_calls);
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
    expect(calls(oai)).toBe(1);
    // The other way round: tool calls streamed first, assembled for a JSON request.
    const other = { ...params, messages: [{ role: "user" as const, content: "weather in Lima" }] };
    const streamed = await client.chat.completions.stream(other).finalChatCompletion();
    const assembled = await client.chat.completions.create(other);
    expect(assembled.choices[0]?.message.tool_calls).toEqual(streamed.choices[0]?.message.tool_calls);
    expect(assembled.choices[0]?.finish_reason).toBe("tool_calls");
    expect(calls(oai)).toBe(2);
  });

  it("Anthropic: tool_use blocks and their input, through @anthropic-ai/sdk's stream", async () => {
    const client = anthropic();
    const params = {
      model: "claude-cached",
      max_tokens: 64,
      messages: [{ role: "user" as const, content: "weather in Rome" }],
      tools: [{ name: fn.name, description: fn.description, input_schema: fn.parameters as { type: "object" } }],
    };
    const json = await client.messages.create(params);
    expect(json.content.some((b) => b.type === "tool_use")).toBe(true);
    const final = await client.messages.stream(params).finalMessage();
    expect(final.content).toEqual(json.content);
    expect(final.stop_reason).toBe("tool_use");
    expect(calls(claude)).toBe(1);
  });

  it("Responses: function calls, through the openai SDK's stream helper", async () => {
    const client = openai();
    const params = {
      model: "gpt-cached",
      input: "weather in Oslo",
      temperature: 0.2,
      tools: [{ type: "function" as const, strict: false, ...fn }],
    };
    const json = await client.responses.create(params);
    expect(json.output.some((i) => i.type === "function_call")).toBe(true);
    const final = await client.responses.stream(params).finalResponse();
    // The SDK's helper adds its own `parsed_arguments` to each call.
    expect(final.output).toMatchObject(json.output);
    expect(calls(oai)).toBe(1);
  });
});

describe("response cache: Responses WebSocket turns", () => {
  it("a turn identical to an HTTP request answered before is replayed over the socket, whole and numbered", async () => {
    const params = { model: "gpt-cached", input: "over the socket", temperature: 0.2 };
    const json = await openai().responses.create(params);
    const s = await ResponsesSocket.open(proxy.url, KEY_A);
    try {
      const events = await s.turn(params);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      expect(events.at(-1)).toMatchObject({ type: "response.completed", response: { id: json.id, output: json.output } });
    } finally {
      await s.close();
    }
    expect(calls(oai)).toBe(1);
    expect(records.at(-1)).toMatchObject({ cache_hit: true, cost_usd: 0 });
  });
});

describe("response cache: what clients and keys control", () => {
  it("cache-control: no-store neither reads nor writes; no-cache skips the lookup and refreshes the entry", async () => {
    await post("/v1/chat/completions", chat("control"), KEY_A, { "cache-control": "no-store" });
    expect((await post("/v1/chat/completions", chat("control"))).cache).toBe("miss");
    expect((await post("/v1/chat/completions", chat("control"), KEY_A, { "cache-control": "no-store" })).cache).toBe("miss");
    expect(calls(oai)).toBe(3);
    oai.behavior.next({ text: "fresh answer" });
    const refreshed = await post("/v1/chat/completions", chat("control"), KEY_A, { "cache-control": "no-cache" });
    expect(refreshed.cache).toBe("miss");
    const hit = await post("/v1/chat/completions", chat("control"));
    expect(hit.cache).toBe("hit");
    expect(contentOf(hit.text)).toBe("fresh answer");
    expect(calls(oai)).toBe(4);
  });

  it("entries are per client key unless the model shares them", async () => {
    await post("/v1/chat/completions", chat("mine"), KEY_A);
    expect((await post("/v1/chat/completions", chat("mine"), KEY_B)).cache).toBe("miss");
    await post("/v1/chat/completions", chat("ours", "gpt-shared"), KEY_A);
    expect((await post("/v1/chat/completions", chat("ours", "gpt-shared"), KEY_B)).cache).toBe("hit");
    expect(calls(oai)).toBe(3);
  });

  it("an entry expires after its TTL (the injected clock)", async () => {
    await post("/v1/chat/completions", chat("ttl"));
    now += 59_000;
    expect((await post("/v1/chat/completions", chat("ttl"))).cache).toBe("hit");
    now += 1_000;
    expect((await post("/v1/chat/completions", chat("ttl"))).cache).toBe("miss");
    expect(calls(oai)).toBe(2);
  });
});

describe("response cache: records and limits", () => {
  it("a hit is one record: cost 0, no tokens, cache_hit, and what the answer cost when it was made as saved", async () => {
    await post("/v1/chat/completions", chat("records"));
    await post("/v1/chat/completions", chat("records"));
    expect(records).toHaveLength(2);
    const [miss, hit] = records as [UsageRecord, UsageRecord];
    expect(miss.cache_hit).toBe(false);
    expect(miss.cost_usd).toBeGreaterThan(0);
    expect(hit).toMatchObject({ cache_hit: true, cost_usd: 0, prompt_tokens: 0, completion_tokens: 0, status: 200, provider: "oai" });
    expect(hit.cache_saved_usd).toBeCloseTo(miss.cost_usd as number, 12);
    expect(hit.attempts).toEqual([]);
  });

  it("a hit counts against the key's rpm but charges no tokens or budget", async () => {
    const limiter = () => proxy.proxy.usage.keyLimits.get(createHash("sha256").update(KEY_LIMITED).digest("hex"));
    const body = chat("limited");
    expect((await post("/v1/chat/completions", body, KEY_LIMITED)).cache).toBe("miss");
    const spent = limiter()?.spentUsd() ?? -1;
    const tokens = limiter()?.counters.tokens ?? -1;
    expect(spent).toBeGreaterThan(0);
    expect((await post("/v1/chat/completions", body, KEY_LIMITED)).cache).toBe("hit");
    expect((await post("/v1/chat/completions", body, KEY_LIMITED)).cache).toBe("hit");
    expect(limiter()?.spentUsd()).toBe(spent);
    expect(limiter()?.counters.tokens).toBe(tokens);
    expect((await post("/v1/chat/completions", body, KEY_LIMITED)).status).toBe(429);
    expect(calls(oai)).toBe(1);
  });
});
