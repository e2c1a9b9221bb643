import { RouterError } from "@ai-router/errors";
import { describe, expect, it } from "vitest";
import type { RuntimeProvider, TargetContext } from "../adapter.js";
import { geminiEmbeddings, toBase64Float32, toGeminiEmbedRequest, toOpenAIEmbeddings } from "./embeddings.js";

function target(basePath = "/v1beta", params: Record<string, unknown> = {}): TargetContext {
  const provider: RuntimeProvider = {
    name: "g",
    type: "gemini",
    baseUrl: `https://generativelanguage.googleapis.com${basePath}`,
    apiKeys: ["AIza-k"],
    timeoutMs: 5000,
    connectTimeoutMs: 2000,
    headers: { "x-extra": "1" },
    streamUsage: true,
    maxConnections: 4,
    origin: "https://generativelanguage.googleapis.com",
    basePath,
  };
  return { provider, apiKey: "AIza-k", upstreamModel: "gemini-embedding-001", params, clientHeaders: {} };
}

const decodeFloat32 = (b64: string) => {
  const buf = Buffer.from(b64, "base64");
  return Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(i * 4));
};

describe("OpenAI embeddings request -> Gemini batchEmbedContents", () => {
  it("sends one request per input, model as models/{id}, to :batchEmbedContents with the chat headers", () => {
    const req = geminiEmbeddings.build({ model: "public", input: ["a", "b c"] }, target());
    expect(req.method).toBe("POST");
    // Appended to the base path, which already ends in /v1beta.
    expect(req.path).toBe("/models/gemini-embedding-001:batchEmbedContents");
    expect(req.headers).toMatchObject({ "x-goog-api-key": "AIza-k", "content-type": "application/json", "x-extra": "1" });
    expect(JSON.parse(String(req.body))).toEqual({
      requests: [
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "a" }] } },
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "b c" }] } },
      ],
    });
  });

  it("takes a single string, maps dimensions to outputDimensionality, and adds /v1beta to a bare base", () => {
    const req = geminiEmbeddings.build({ model: "public", input: "hello", dimensions: 256, user: "u1" }, target(""));
    expect(req.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(JSON.parse(String(req.body)).requests).toEqual([
      { model: "models/gemini-embedding-001", content: { parts: [{ text: "hello" }] }, outputDimensionality: 256 },
    ]);
  });

  it("uses target defaults under the client's fields", () => {
    const body = (t: TargetContext, b: Record<string, unknown>) => JSON.parse(String(geminiEmbeddings.build(b, t).body));
    expect(body(target("/v1beta", { dimensions: 128 }), { input: "x" }).requests[0].outputDimensionality).toBe(128);
    expect(body(target("/v1beta", { dimensions: 128 }), { input: "x", dimensions: 64 }).requests[0].outputDimensionality).toBe(64);
  });

  it.each([[[1, 2, 3]], [[[1, 2], [3]]], [[]], [["a", 1]]])("refuses input %j with a 400 naming input", (input) => {
    let err: unknown;
    try {
      toGeminiEmbedRequest({ input }, "m");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RouterError);
    expect((err as RouterError).status).toBe(400);
    expect((err as RouterError).param).toBe("input");
  });
});

describe("Gemini BatchEmbedContentsResponse -> OpenAI embeddings list", () => {
  const resp = { embeddings: [{ values: [0.5, -0.25] }, { values: [1, 0, -1] }] };

  it("keeps input order as index, names the upstream model and estimates usage from the text", () => {
    const out = toOpenAIEmbeddings(resp, { input: ["abcd", "abcdefghi"] }, "gemini-embedding-001");
    expect(JSON.parse(String(out.body))).toEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [0.5, -0.25] },
        { object: "embedding", index: 1, embedding: [1, 0, -1] },
      ],
      model: "gemini-embedding-001",
      // ceil(4/4) + ceil(9/4) = 1 + 3
      usage: { prompt_tokens: 4, total_tokens: 4 },
    });
    expect(out.usage).toEqual({ prompt_tokens: 4, completion_tokens: 0, total_tokens: 4 });
  });

  it("answers encoding_format base64 as little-endian float32 bytes", () => {
    const out = JSON.parse(String(toOpenAIEmbeddings(resp, { input: ["a", "b"], encoding_format: "base64" }, "m").body));
    expect(typeof out.data[0].embedding).toBe("string");
    expect(decodeFloat32(out.data[0].embedding)).toEqual([0.5, -0.25]);
    expect(decodeFloat32(out.data[1].embedding)).toEqual([1, 0, -1]);
    // 0.5 as float32 LE is 00 00 00 3f.
    expect(Buffer.from(toBase64Float32([0.5]), "base64")).toEqual(Buffer.from([0, 0, 0, 0x3f]));
  });

  it("refuses an answer whose count does not match the inputs (never a misaligned index)", () => {
    expect(() => toOpenAIEmbeddings(resp, { input: "one" }, "m")).toThrow(/2 embeddings for 1 inputs/);
    expect(() => toOpenAIEmbeddings({}, { input: "one" }, "m")).toThrow(/no embeddings/);
  });

  it("parse() reads the upstream bytes with the client's request and the target's defaults", () => {
    const bytes = Buffer.from(JSON.stringify({ embeddings: [{ values: [0.75] }] }));
    const out = geminiEmbeddings.parse(bytes, { input: "hi" }, target("/v1beta", { encoding_format: "base64" }));
    expect(decodeFloat32(JSON.parse(String(out?.body)).data[0].embedding)).toEqual([0.75]);
    expect(out?.usage?.prompt_tokens).toBe(1);
  });
});
