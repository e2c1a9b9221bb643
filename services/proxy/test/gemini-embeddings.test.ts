import { geminiMockVector, type MockUpstream, startMockUpstream } from "@ai-router/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

// The openai SDK's embeddings.create against an embedding model served by Gemini: OpenAI's request
// becomes batchEmbedContents, Gemini's answer becomes OpenAI's list (float or base64), errors keep
// their status and fail over like every other endpoint.
let gemini: MockUpstream;
let backup: MockUpstream;
let proxy: TestProxy;
let client: OpenAI;

beforeAll(async () => {
  gemini = await startMockUpstream();
  backup = await startMockUpstream();
  const urls = [gemini.url, backup.url];
  proxy = await startTestProxy({
    server: { failure_threshold: 1000 },
    providers: urls.map((u, i) => ({
      name: `gemini${i}`,
      type: "gemini",
      base_url: `${u}/v1beta`,
      api_key: `AIza-up-${i}`,
      timeout_ms: 2000,
    })),
    models: [
      {
        name: "gemini-embed",
        llm_type: "embedding",
        strategy: "fallback",
        providers: urls.map((_, i) => ({ provider: `gemini${i}`, model: "gemini-embedding-001", priority: i })),
      },
    ],
  });
  client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(async () => {
  await proxy.close();
  await gemini.close();
  await backup.close();
});
beforeEach(() => {
  gemini.behavior.reset();
  backup.behavior.reset();
  gemini.requests.length = 0;
  backup.requests.length = 0;
});

type Json = Record<string, any>;
const sent = (m = gemini) => m.requests.at(-1) as { path: string; model?: string; headers: Json; body: Json };
const fail = (e: unknown) => e as InstanceType<typeof OpenAI.APIError>;
const promptTokens = async (): Promise<number> => {
  const r = (await (await fetch(`${proxy.url}/v1/stats`)).json()) as { stats: { prompt_tokens: Record<string, number> } };
  return r.stats.prompt_tokens["gemini-embed"] ?? 0;
};

describe("openai SDK embeddings -> Gemini-served model", () => {
  it("a string input: batchEmbedContents with the key in x-goog-api-key; an OpenAI list back, usage estimated and recorded", async () => {
    const before = await promptTokens();
    const { data: r, response } = await client.embeddings
      .create({ model: "gemini-embed", input: "hello world", encoding_format: "float" })
      .withResponse();
    expect(r.object).toBe("list");
    expect(r.model).toBe("gemini-embedding-001");
    expect(r.data).toHaveLength(1);
    expect(r.data[0]).toMatchObject({ object: "embedding", index: 0 });
    expect(r.data[0]?.embedding).toEqual(geminiMockVector("hello world"));
    // 11 characters -> ceil(11 / 4) = 3 estimated tokens (Gemini reports none for a batch).
    expect(r.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(response.headers.get("x-router-provider")).toBe("gemini0");
    expect(response.headers.get("content-type")).toContain("application/json");
    const req = sent();
    expect(req.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(req.headers["x-goog-api-key"]).toBe("AIza-up-0");
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body).toEqual({ requests: [{ model: "models/gemini-embedding-001", content: { parts: [{ text: "hello world" }] } }] });
    expect((await promptTokens()) - before).toBe(3);
  });

  it("an array input with dimensions: one vector per input, in order, outputDimensionality honoured", async () => {
    const input = ["first", "second one", "third, the longest of them"];
    const r = await client.embeddings.create({ model: "gemini-embed", input, dimensions: 16, encoding_format: "float" });
    expect(r.data.map((d) => d.index)).toEqual([0, 1, 2]);
    r.data.forEach((d, i) => {
      expect(d.embedding).toHaveLength(16);
      expect(d.embedding).toEqual(geminiMockVector(input[i] as string, 16));
    });
    expect(sent().body.requests.map((x: Json) => [x.content.parts[0].text, x.outputDimensionality])).toEqual(input.map((t) => [t, 16]));
    expect(r.usage.prompt_tokens).toBe(2 + 3 + 7);
  });

  it("base64: the SDK's default (it asks for base64 and decodes) equals the float answer; raw base64 is float32 LE", async () => {
    const input = ["alpha", "beta"];
    const floats = await client.embeddings.create({ model: "gemini-embed", input, encoding_format: "float" });
    const viaSdk = await client.embeddings.create({ model: "gemini-embed", input });
    expect(viaSdk.data.map((d) => d.embedding)).toEqual(floats.data.map((d) => d.embedding));
    const raw = (await (
      await fetch(`${proxy.url}/v1/embeddings`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "gemini-embed", input: "alpha", encoding_format: "base64", dimensions: 4 }),
      })
    ).json()) as Json;
    const bytes = Buffer.from(raw.data[0].embedding as string, "base64");
    expect(bytes).toHaveLength(16);
    expect([0, 1, 2, 3].map((i) => bytes.readFloatLE(i * 4))).toEqual(geminiMockVector("alpha", 4));
  });

  it("token-array input cannot be carried to Gemini: a 400 naming input, and no upstream call", async () => {
    for (const input of [
      [1, 2, 3],
      [[1, 2], [3]],
    ]) {
      const err = await client.embeddings.create({ model: "gemini-embed", input }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect(fail(err).status).toBe(400);
      expect(fail(err).param).toBe("input");
      expect(fail(err).message).toContain("token arrays");
    }
    expect(gemini.requests).toHaveLength(0);
    expect(backup.requests).toHaveLength(0);
  });
});

describe("openai SDK embeddings -> Gemini errors and failover", () => {
  it("an upstream 400 is not retried: BadRequestError with Gemini's message and status name", async () => {
    gemini.behavior.next({ status: 400, message: "gemini says no" });
    const err = await client.embeddings.create({ model: "gemini-embed", input: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(fail(err).message).toContain("gemini says no");
    expect(fail(err).code).toBe("INVALID_ARGUMENT");
    expect(backup.requests).toHaveLength(0);
  });

  it("a dimension Gemini refuses comes back as its own 400 validation message", async () => {
    const err = await client.embeddings.create({ model: "gemini-embed", input: "x", dimensions: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(fail(err).message).toContain("output_dimensionality");
  });

  it("429 on every provider surfaces as RateLimitError (RESOURCE_EXHAUSTED)", async () => {
    gemini.behavior.next({ status: 429 });
    backup.behavior.next({ status: 429 });
    const err = await client.embeddings.create({ model: "gemini-embed", input: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(fail(err).status).toBe(429);
    expect(fail(err).code).toBe("RESOURCE_EXHAUSTED");
    expect(backup.requests).toHaveLength(1);
  });

  it.each([500, 503, 429])("fails over on %i to the second provider, which answers", async (status) => {
    gemini.behavior.next({ status });
    const { data, response } = await client.embeddings
      .create({ model: "gemini-embed", input: ["a", "b"], encoding_format: "float" })
      .withResponse();
    expect(data.data.map((d) => d.embedding)).toEqual([geminiMockVector("a"), geminiMockVector("b")]);
    expect(response.headers.get("x-router-provider")).toBe("gemini1");
    expect(response.headers.get("x-router-attempts")).toBe("2");
    expect(sent(backup).headers["x-goog-api-key"]).toBe("AIza-up-1");
  });
});
