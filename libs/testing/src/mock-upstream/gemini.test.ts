import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "./server.js";

// No official Gemini SDK is installed, so the mock is held to the documented wire shapes:
// GenerateContentResponse {candidates[{content{role,parts},finishReason,index}], usageMetadata,
// modelVersion, responseId}, SSE `data:` events with no [DONE], and Google's error envelope
// {"error":{"code","message","status"}}. It must refuse what Gemini refuses, with Gemini's messages.
let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => {
  mock.behavior.reset();
  mock.requests.length = 0;
});

const KEY = "AIza-test-key";
type Json = Record<string, any>;

async function call(model: string, body: unknown, opts: { stream?: "sse" | "array"; key?: string | null; query?: string } = {}) {
  const method = opts.stream ? "streamGenerateContent" : "generateContent";
  const alt = opts.stream === "sse" ? "?alt=sse" : "";
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (opts.key !== null) headers["x-goog-api-key"] = opts.key ?? KEY;
  const res = await fetch(`${mock.url}/v1beta/models/${model}:${method}${alt}${opts.query ?? ""}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}
const json = async (model: string, body: unknown, opts = {}) => {
  const r = await call(model, body, opts);
  return { status: r.status, body: JSON.parse(r.text) as Json };
};
const ask = (text: string, extra: Json = {}) => ({ contents: [{ role: "user", parts: [{ text }] }], ...extra });
const decl = (name: string) => ({ name, parameters: { type: "object", properties: { q: { type: "string" } } } });
const tools = { tools: [{ functionDeclarations: [decl("get_weather"), decl("get_time")] }] };

describe("mock Gemini: generateContent", () => {
  it("answers a GenerateContentResponse and records the model from the path", async () => {
    const { status, body } = await json("gemini-2.5-flash", ask("hello"));
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(["candidates", "modelVersion", "responseId", "usageMetadata"]);
    expect(body.candidates).toEqual([{ content: { parts: [{ text: "Echo: hello" }], role: "model" }, finishReason: "STOP", index: 0 }]);
    const u = body.usageMetadata;
    expect(u.totalTokenCount).toBe(u.promptTokenCount + u.candidatesTokenCount);
    expect(body.modelVersion).toBe("gemini-2.5-flash");
    expect(body.responseId).toMatch(/^[\w-]{10,}$/);
    expect(mock.requests[0]?.model).toBe("gemini-2.5-flash");
    expect(mock.received(":generateContent")).toHaveLength(1);
  });

  it("takes the key from x-goog-api-key or ?key=; without one answers 403 PERMISSION_DENIED", async () => {
    expect((await call("g", ask("x"), { key: null, query: "?key=abc" })).status).toBe(200);
    const r = await json("g", ask("x"), { key: null });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: { code: 403, message: expect.stringContaining("unregistered callers"), status: "PERMISSION_DENIED" } });
    const bad = await json("g", ask("x"), { key: "invalid-key" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 400,
      status: "INVALID_ARGUMENT",
      details: [expect.objectContaining({ reason: "API_KEY_INVALID" })],
    });
  });

  it("accepts the proto's snake_case names too", async () => {
    const r = await json("g", {
      contents: [{ parts: [{ text: "hi" }] }],
      system_instruction: { parts: [{ text: "S" }] },
      generation_config: { temperature: 0 },
    });
    expect(r.status).toBe(200);
  });
});

describe("mock Gemini: refuses what Gemini refuses (400 INVALID_ARGUMENT)", () => {
  const fc = (name: string, extra: Json = {}) => ({ functionCall: { name, args: {} }, ...extra });
  const fr = (name: string) => ({ functionResponse: { name, response: { ok: true } } });
  const cases: [string, string, unknown, RegExp][] = [
    ["no contents", "g", {}, /contents: contents is not specified/],
    ["empty contents", "g", { contents: [] }, /contents is not specified/],
    ["role assistant", "g", { contents: [{ role: "assistant", parts: [{ text: "x" }] }] }, /Please use a valid role: user, model/],
    ["role system", "g", { contents: [{ role: "system", parts: [{ text: "x" }] }] }, /valid role/],
    ["empty parts", "g", { contents: [{ role: "user", parts: [] }] }, /contents\[0\]\.parts: contents\.parts must not be empty/],
    ["a part without data", "g", { contents: [{ role: "user", parts: [{}] }] }, /required oneof field 'data'/],
    [
      "a part with two data fields",
      "g",
      { contents: [{ role: "user", parts: [{ text: "a", inlineData: { mimeType: "image/png", data: "x" } }] }] },
      /oneof field 'data' is already set/,
    ],
    ["an unknown top-level field", "g", { ...ask("x"), messages: [] }, /Unknown name "messages": Cannot find field/],
    ["the model in the body", "g", { ...ask("x"), model: "g" }, /Unknown name "model"/],
    [
      "an unknown generationConfig field",
      "g",
      ask("x", { generationConfig: { max_tokens: 5 } }),
      /Unknown name "max_tokens" at 'generation_config'/,
    ],
    [
      "additionalProperties in a function schema",
      "g",
      ask("x", {
        tools: [
          {
            functionDeclarations: [
              { name: "f", parameters: { type: "object", additionalProperties: false, properties: { a: { type: "string" } } } },
            ],
          },
        ],
      }),
      /Unknown name "additionalProperties" at 'tools\[0\]\.function_declarations\[0\]\.parameters'/,
    ],
    [
      "an OBJECT schema with empty properties",
      "g",
      ask("x", { tools: [{ functionDeclarations: [{ name: "f", parameters: { type: "object", properties: {} } }] }] }),
      /parameters\.properties: should be non-empty for OBJECT type/,
    ],
    [
      "a function response that is not an object",
      "g",
      { contents: [{ role: "user", parts: [{ functionResponse: { name: "f", response: "ok" } }] }] },
      /function_response\.response/,
    ],
    [
      "a function call turn first",
      "g",
      {
        contents: [
          { role: "model", parts: [fc("f")] },
          { role: "user", parts: [fr("f")] },
        ],
      },
      /function call turn comes immediately after a user turn/,
    ],
    [
      "fewer function responses than calls",
      "g",
      {
        contents: [
          { role: "user", parts: [{ text: "x" }] },
          { role: "model", parts: [fc("a"), fc("b")] },
          { role: "user", parts: [fr("a")] },
        ],
      },
      /number of function response parts is equal to the number of function call parts/,
    ],
    [
      "a Gemini 3 function call without its thought signature",
      "gemini-3-pro-preview",
      {
        contents: [
          { role: "user", parts: [{ text: "x" }] },
          { role: "model", parts: [fc("a")] },
          { role: "user", parts: [fr("a")] },
        ],
      },
      /Function call `a` in the `1\.` content block is missing a `thought_signature`/,
    ],
    [
      "allowedFunctionNames with mode AUTO",
      "g",
      ask("x", { ...tools, toolConfig: { functionCallingConfig: { mode: "AUTO", allowedFunctionNames: ["get_time"] } } }),
      /only allowed when mode is ANY/,
    ],
    [
      "an unknown mode",
      "g",
      ask("x", { ...tools, toolConfig: { functionCallingConfig: { mode: "REQUIRED" } } }),
      /function_calling_config\.mode/,
    ],
    [
      "a response schema without JSON mime type",
      "g",
      ask("x", { generationConfig: { responseJsonSchema: { type: "object" } } }),
      /response_mime_type/,
    ],
    [
      "both thinking budget and level",
      "gemini-3-pro-preview",
      ask("x", { generationConfig: { thinkingConfig: { thinkingBudget: 10, thinkingLevel: "low" } } }),
      /only one of thinking budget and thinking level/,
    ],
    [
      "a thinking level on Gemini 2.5",
      "gemini-2.5-flash",
      ask("x", { generationConfig: { thinkingConfig: { thinkingLevel: "low" } } }),
      /Thinking level is not supported/,
    ],
    [
      "more than 5 stop sequences",
      "g",
      ask("x", { generationConfig: { stopSequences: ["a", "b", "c", "d", "e", "f"] } }),
      /stop_sequences/,
    ],
  ];
  it.each(cases)("%s", async (_name, model, body, message) => {
    const r = await json(model, body);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code: 400, message: expect.stringMatching(message), status: "INVALID_ARGUMENT" } });
  });

  it("accepts a Gemini 3 history signed with the documented placeholder, and a whole function-call round", async () => {
    const body = {
      contents: [
        { role: "user", parts: [{ text: "x" }] },
        { role: "model", parts: [fc("a", { thoughtSignature: "skip_thought_signature_validator" }), fc("b")] },
        { role: "user", parts: [fr("a"), fr("b")] },
      ],
    };
    const r = await json("gemini-3-pro-preview", body);
    expect(r.status).toBe(200);
    expect(r.body.candidates[0].content.parts).toEqual([{ text: 'Tool said: {"ok":true} {"ok":true}' }]);
  });
});

describe("mock Gemini: answers", () => {
  const parts = (b: Json) => b.candidates[0].content.parts as Json[];

  it("calls every offered tool the text names, args as an object, finishReason STOP", async () => {
    const { body } = await json("gemini-2.5-flash", ask("get_weather and get_time", tools));
    expect(parts(body).map((p) => p.functionCall.name)).toEqual(["get_weather", "get_time"]);
    expect(parts(body)[0].functionCall.args).toEqual({ query: "get_weather and get_time", n: 0 });
    expect(body.candidates[0].finishReason).toBe("STOP");
    expect(parts(body)[0].thoughtSignature).toBeUndefined();
  });

  it("honours functionCallingConfig: NONE answers in text, ANY + allowedFunctionNames calls only those", async () => {
    const none = await json("g", ask("get_weather", { ...tools, toolConfig: { functionCallingConfig: { mode: "NONE" } } }));
    expect(parts(none.body)).toEqual([{ text: "Echo: get_weather" }]);
    const any = await json(
      "g",
      ask("get_weather", { ...tools, toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_time"] } } }),
    );
    expect(parts(any.body).map((p) => p.functionCall.name)).toEqual(["get_time"]);
  });

  it("Gemini 3 signs the first function call of the turn", async () => {
    const { body } = await json("gemini-3-flash-preview", ask("get_weather and get_time", tools));
    expect(parts(body).map((p) => typeof p.thoughtSignature)).toEqual(["string", "undefined"]);
  });

  it("includeThoughts adds a thought part and thoughtsTokenCount (counted in the total)", async () => {
    const { body } = await json(
      "g",
      ask("think", { generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } } }),
    );
    expect(parts(body)).toEqual([{ text: "Let me think about that.", thought: true }, { text: "Echo: think" }]);
    const u = body.usageMetadata;
    expect(u.totalTokenCount).toBe(u.promptTokenCount + u.candidatesTokenCount + u.thoughtsTokenCount);
  });

  it("maxOutputTokens cuts with MAX_TOKENS; candidateCount gives that many candidates; JSON mode answers JSON", async () => {
    const cut = await json("g", ask("a long sentence to echo back", { generationConfig: { maxOutputTokens: 2 } }));
    expect(cut.body.candidates[0].finishReason).toBe("MAX_TOKENS");
    const two = await json("g", ask("x", { generationConfig: { candidateCount: 2 } }));
    expect(two.body.candidates.map((c: Json) => c.index)).toEqual([0, 1]);
    const j = await json("g", ask("x", { generationConfig: { responseMimeType: "application/json" } }));
    expect(JSON.parse(parts(j.body)[0].text)).toEqual({ echo: "x" });
  });

  it("blocks a prompt with promptFeedback and no candidates; stops an unsafe answer with SAFETY and no content", async () => {
    const blocked = await json("g", ask("[blocked] x"));
    expect(blocked.body.candidates).toBeUndefined();
    expect(blocked.body.promptFeedback).toEqual({ blockReason: "SAFETY" });
    const unsafe = await json("g", ask("[unsafe] x"));
    expect(unsafe.body.candidates).toEqual([{ finishReason: "SAFETY", index: 0 }]);
  });

  it("reports a long system instruction as implicitly cached", async () => {
    const { body } = await json("g", ask("x", { systemInstruction: { parts: [{ text: "rules ".repeat(800) }] } }));
    expect(body.usageMetadata.cachedContentTokenCount).toBeGreaterThanOrEqual(1024);
    expect(body.usageMetadata.promptTokenCount).toBeGreaterThan(body.usageMetadata.cachedContentTokenCount);
  });
});

describe("mock Gemini: streamGenerateContent", () => {
  const events = (text: string) => text.split("\r\n\r\n").filter(Boolean);

  it("alt=sse: data events separated by CRLF CRLF, no [DONE], finishReason and full usage on the last", async () => {
    const r = await call("gemini-2.5-flash", ask("stream me please"), { stream: "sse" });
    expect(r.type).toContain("text/event-stream");
    const evs = events(r.text);
    expect(evs.length).toBeGreaterThan(2);
    expect(evs.every((e) => e.startsWith("data: "))).toBe(true);
    expect(r.text).not.toContain("[DONE]");
    const parsed = evs.map((e) => JSON.parse(e.slice(6)) as Json);
    expect(parsed.map((p) => p.candidates[0].content.parts[0].text).join("")).toBe("Echo: stream me please");
    expect(parsed.slice(0, -1).every((p) => p.candidates[0].finishReason === undefined)).toBe(true);
    const last = parsed.at(-1) as Json;
    expect(last.candidates[0].finishReason).toBe("STOP");
    expect(last.usageMetadata.candidatesTokenCount).toBeGreaterThan(0);
    expect(new Set(parsed.map((p) => p.responseId)).size).toBe(1);
  });

  it("streams parallel function calls whole, in one event", async () => {
    const r = await call("g", ask("get_weather and get_time", tools), { stream: "sse" });
    const parsed = events(r.text).map((e) => JSON.parse(e.slice(6)) as Json);
    const withCalls = parsed.filter((p) => p.candidates[0].content.parts.some((x: Json) => x.functionCall));
    expect(withCalls).toHaveLength(1);
    expect(withCalls[0]?.candidates[0].content.parts.map((x: Json) => x.functionCall.name)).toEqual(["get_weather", "get_time"]);
  });

  it("without alt=sse: one JSON array of the same responses", async () => {
    const r = await call("g", ask("array please"), { stream: "array" });
    expect(r.type).toContain("application/json");
    const arr = JSON.parse(r.text) as Json[];
    expect(arr.map((p) => p.candidates[0].content.parts[0].text).join("")).toBe("Echo: array please");
  });

  it("behaviours: a status answers the envelope; errorType fails the stream in-band", async () => {
    mock.behavior.next({ status: 429 });
    const r = await json("g", ask("x"));
    expect(r).toEqual({
      status: 429,
      body: { error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED" } },
    });
    mock.behavior.next({ errorType: "UNAVAILABLE" });
    const s = await call("g", ask("x"), { stream: "sse" });
    expect(s.status).toBe(200);
    expect(JSON.parse(events(s.text)[0]?.slice(6) ?? "")).toEqual({
      error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" },
    });
  });
});

describe("mock Gemini: batchEmbedContents", () => {
  const embed = async (model: string, body: unknown, key: string | null = KEY) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (key !== null) headers["x-goog-api-key"] = key;
    const res = await fetch(`${mock.url}/v1beta/models/${model}:batchEmbedContents`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const item = (text: string, extra: Json = {}) => ({ model: "models/gemini-embedding-001", content: { parts: [{ text }] }, ...extra });

  it("answers one embedding per request, in order: deterministic per text, 3072 values by default", async () => {
    const r = await embed("gemini-embedding-001", { requests: [item("alpha"), item("beta"), item("alpha")] });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(["embeddings"]);
    const [a, b, a2] = r.body.embeddings as { values: number[] }[];
    expect(a?.values).toHaveLength(3072);
    expect(a?.values).toEqual(a2?.values);
    expect(a?.values).not.toEqual(b?.values);
    expect(mock.requests.at(-1)?.model).toBe("gemini-embedding-001");
  });

  it("honours outputDimensionality per request", async () => {
    const r = await embed("gemini-embedding-001", {
      requests: [item("x", { outputDimensionality: 8 }), item("y", { taskType: "RETRIEVAL_QUERY" })],
    });
    expect(r.body.embeddings.map((e: Json) => e.values.length)).toEqual([8, 3072]);
  });

  it.each([
    [{ requests: [] }, "at least one request"],
    [{ requests: [item("x")], extra: 1 }, 'Unknown name "extra"'],
    [{ requests: [{ model: "models/other", content: { parts: [{ text: "x" }] } }] }, "must match the model in the URL"],
    [{ requests: [item("x", { dimensions: 8 })] }, 'Unknown name "dimensions"'],
    [{ requests: [item("x", { outputDimensionality: 0 })] }, "output_dimensionality"],
    [{ requests: [{ model: "models/gemini-embedding-001", content: { parts: [] } }] }, "must not be empty"],
    [{ requests: [item("x", { taskType: "NOPE" })] }, "task_type"],
  ])("refuses %j with Gemini's 400 INVALID_ARGUMENT", async (body, message) => {
    const r = await embed("gemini-embedding-001", body);
    expect(r.status).toBe(400);
    expect(r.body.error.status).toBe("INVALID_ARGUMENT");
    expect(r.body.error.message).toContain(message);
  });

  it("checks the key and answers behaviours with Google's envelope", async () => {
    expect((await embed("gemini-embedding-001", { requests: [item("x")] }, null)).status).toBe(403);
    mock.behavior.next({ status: 429 });
    const r = await embed("gemini-embedding-001", { requests: [item("x")] });
    expect(r).toEqual({
      status: 429,
      body: { error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED" } },
    });
  });
});
