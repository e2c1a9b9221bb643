import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { FunctionCallingConfigMode, GoogleGenAI, Type } from "@google/genai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

// Gemini's own format at the front door, with the official @google/genai SDK, for a model served by
// OpenAI-style chat (translated) and one served by Gemini (native).
let chat: MockUpstream;
let gem: MockUpstream;
let proxy: TestProxy;
const KEY = "sk-router-gemini-client";

beforeAll(async () => {
  chat = await startMockUpstream();
  gem = await startMockUpstream();
  proxy = await startTestProxy({
    server: { failure_threshold: 1000 },
    providers: [
      { name: "oai", type: "openai", base_url: chat.baseUrl, api_key: "sk-oai", timeout_ms: 2000 },
      { name: "gem", type: "gemini", base_url: `${gem.url}/v1beta`, api_key: "AIza-upstream-key", timeout_ms: 2000 },
    ],
    models: [
      { name: "gpt-4o", providers: [{ provider: "oai", model: "gpt-4o-upstream" }] },
      { name: "gemini-native", providers: [{ provider: "gem", model: "gemini-2.5-flash" }] },
    ],
    keys: [{ name: "c", key: KEY }],
  });
});
afterAll(async () => {
  await proxy.close();
  await chat.close();
  await gem.close();
});
beforeEach(() => {
  chat.requests.length = 0;
  gem.requests.length = 0;
  chat.behavior.reset();
});

const sdk = (apiVersion?: string) =>
  new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: proxy.url, ...(apiVersion ? { apiVersion } : {}) } });
const lastChat = () => chat.received("/chat/completions").at(-1)?.body as Record<string, unknown>;

describe("@google/genai against an OpenAI-served model", () => {
  it("generateContent: text, usage, system instruction and config carried over", async () => {
    const r = await sdk().models.generateContent({
      model: "gpt-4o",
      contents: "hello gemini client",
      config: { systemInstruction: "Be brief.", temperature: 0.3, maxOutputTokens: 200 },
    });
    expect(r.text).toBe("Echo: hello gemini client");
    expect(r.candidates?.[0]?.finishReason).toBe("STOP");
    expect(r.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    expect(lastChat()).toMatchObject({
      model: "gpt-4o-upstream",
      temperature: 0.3,
      max_completion_tokens: 200,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hello gemini client" },
      ],
    });
  });

  it("the /v1 API version works the same (the SDK's default for some clients)", async () => {
    const r = await sdk("v1").models.generateContent({ model: "gpt-4o", contents: "via v1" });
    expect(r.text).toBe("Echo: via v1");
  });

  it("generateContentStream: chunks the SDK assembles, finish reason and usage on the last", async () => {
    const stream = await sdk().models.generateContentStream({ model: "gpt-4o", contents: "stream it to me" });
    let text = "";
    let last: Awaited<ReturnType<typeof stream.next>>["value"];
    for await (const chunk of stream) {
      text += chunk.text ?? "";
      last = chunk;
    }
    expect(text).toBe("Echo: stream it to me");
    expect(last?.candidates?.[0]?.finishReason).toBe("STOP");
    expect(last?.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
  });

  it("function calling round trip: the call, then its functionResponse answered", async () => {
    const tools = [
      {
        functionDeclarations: [
          { name: "get_weather", description: "Weather", parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } } } },
        ],
      },
    ];
    const config = { tools, toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.AUTO } } };
    const first = await sdk().models.generateContent({ model: "gpt-4o", contents: "get_weather in Paris", config });
    const call = first.functionCalls?.[0];
    expect(call?.name).toBe("get_weather");
    expect(lastChat().tools).toEqual([
      {
        type: "function",
        function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
      },
    ]);
    const second = await sdk().models.generateContent({
      model: "gpt-4o",
      config,
      contents: [
        { role: "user", parts: [{ text: "get_weather in Paris" }] },
        { role: "model", parts: [{ functionCall: call }] },
        { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { forecast: "sunny" } } }] },
      ],
    });
    expect(second.text).toContain("sunny");
    const msgs = lastChat().messages as { role: string; tool_call_id?: string; tool_calls?: { id: string }[] }[];
    expect(msgs[2]?.tool_call_id).toBe(msgs[1]?.tool_calls?.[0]?.id);
  });

  it("countTokens is estimated for a non-Gemini target and says so", async () => {
    const res = await fetch(`${proxy.url}/v1beta/models/gpt-4o:countTokens`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": KEY },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "count these words please" }] }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-router-warnings")).toBe("estimated:totalTokens");
    expect((await res.json()).totalTokens).toBeGreaterThan(0);
    const viaSdk = await sdk().models.countTokens({ model: "gpt-4o", contents: "hello" });
    expect(viaSdk.totalTokens).toBeGreaterThan(0);
  });
});

describe("Gemini's format: auth, errors, native targets", () => {
  it("takes the client key from x-goog-api-key or ?key=, and answers auth errors in Gemini's envelope", async () => {
    const body = JSON.stringify({ contents: [{ parts: [{ text: "hi" }] }] });
    const url = `${proxy.url}/v1beta/models/gpt-4o:generateContent`;
    expect((await fetch(`${url}?key=${KEY}`, { method: "POST", body })).status).toBe(200);
    const bad = await fetch(`${url}?key=wrong-key-123`, { method: "POST", body });
    expect(bad.status).toBe(401);
    expect((await bad.json()).error).toMatchObject({ code: 401, status: "UNAUTHENTICATED" });
    const missing = await fetch(`${proxy.url}/v1beta/models/nope:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": KEY },
      body,
    });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.status).toBe("NOT_FOUND");
    const empty = await fetch(url, { method: "POST", headers: { "x-goog-api-key": KEY }, body: "{}" });
    expect(empty.status).toBe(400);
    expect((await empty.json()).error.status).toBe("INVALID_ARGUMENT");
    const sdkErr = await sdk()
      .models.generateContent({ model: "nope", contents: "x" })
      .catch((e) => e);
    expect(sdkErr.status).toBe(404);
  });

  it("passes the body natively to a Gemini target (JSON and stream), key in x-goog-api-key upstream", async () => {
    const r = await sdk().models.generateContent({ model: "gemini-native", contents: "native please" });
    expect(r.text).toContain("native please");
    const sent = gem.requests.at(-1);
    expect(sent?.path).toContain("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(sent?.headers["x-goog-api-key"]).toBe("AIza-upstream-key");
    const stream = await sdk().models.generateContentStream({ model: "gemini-native", contents: "native stream" });
    let text = "";
    for await (const c of stream) text += c.text ?? "";
    expect(text).toContain("native stream");
    expect(gem.requests.at(-1)?.path).toContain(":streamGenerateContent");
  });
});
