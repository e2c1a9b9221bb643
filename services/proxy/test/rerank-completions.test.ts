import { DASHSCOPE_RERANK } from "@ai-router/testing";
import { describe, expect, it } from "vitest";
import { KEY, nextRecord, postJson, useMoreWorld } from "./more-endpoints-setup.js";

const w = useMoreWorld();

const DOCS = ["Paris is the capital of France", { text: "Berlin is the capital of Germany" }, "Bananas are yellow"];

interface RerankAnswer {
  results: { index: number; relevance_score: number; document?: { text: string } }[];
  usage: { total_tokens?: number; search_units?: number };
}

describe("moderations and legacy completions through the router", () => {
  it("openai SDK moderations.create: text and image parts reach the upstream under its model id, after failing over", async () => {
    const { data, response } = await w.client.moderations
      .create({
        model: "omni-moderation-latest",
        input: [
          { type: "text", text: "I will kill the process" },
          { type: "image_url", image_url: { url: "https://example.com/a.png" } },
        ],
      })
      .withResponse();
    expect(data.results.map((r) => r.flagged)).toEqual([true, false]);
    expect(response.headers.get("x-router-attempts")).toBe("2");
    expect(w.up.requests[0]?.json).toMatchObject({ model: "omni-moderation-2024" });
  });

  it("moderations without a model use omni-moderation-latest (OpenAI's default)", async () => {
    const res = await postJson("/v1/moderations", { input: "hello" });
    expect(res.status).toBe(200);
    expect(w.up.requests[0]?.json?.model).toBe("omni-moderation-2024");
  });

  it("openai SDK completions.create, plain: the answer as the upstream sent it, tokens priced", async () => {
    const rec = nextRecord("completions");
    const c = await w.client.completions.create({ model: "gpt-3.5-turbo-instruct", prompt: "hello", max_tokens: 5 });
    expect(c.choices[0]?.text).toBe(" world");
    expect(w.up.requests[0]?.json).toMatchObject({ model: "instruct-upstream", prompt: "hello", max_tokens: 5 });
    const r = await rec;
    expect([r.promptTokens, r.completionTokens]).toEqual([5, 3]);
    expect(r.costUsd).toBeCloseTo((5 * 1.5 + 3 * 2) / 1e6, 12);
  });

  it("openai SDK completions.create streamed, with suffix (FIM): chunks relayed, usage read from the stream", async () => {
    const rec = nextRecord("completions");
    const stream = await w.client.completions.create({
      model: "gpt-3.5-turbo-instruct",
      prompt: "def add(a, b):\n",
      suffix: "\n    return c",
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? "";
    expect(text).toBe("/* between 15 and 13 */");
    expect(w.up.requests[0]?.json).toMatchObject({ suffix: "\n    return c", stream: true });
    const r = await rec;
    expect(r.stream).toBe(true);
    expect(r.usageEstimated ?? false).toBe(false);
    expect(r.completionTokens).toBe(3);
  });

  it("FIM on Mistral goes to /fim/completions and comes back as text_completion, JSON and streamed", async () => {
    const c = await w.client.completions.create({ model: "codestral", prompt: "function f() {", suffix: "}", max_tokens: 20 });
    expect(c.object).toBe("text_completion");
    expect(c.choices[0]?.text).toBe("/* between 14 and 1 */");
    expect(w.up.requests.at(-1)).toMatchObject({ path: "/v1/fim/completions", json: { model: "codestral-latest", suffix: "}" } });
    const stream = await w.client.completions.create({ model: "codestral", prompt: "x = ", suffix: ";", stream: true });
    let text = "";
    for await (const chunk of stream) {
      expect(chunk.object).toBe("text_completion");
      text += chunk.choices[0]?.text ?? "";
    }
    expect(text).toBe("/* between 4 and 1 */");
  });

  it("completions on DeepSeek go to its beta endpoint beside /v1 (FIM with suffix), JSON and streamed, with only the fields it takes", async () => {
    const suffix = "    return fib(a-1) + fib(a-2)";
    const { data: c, response } = await w.client.completions
      .create({ model: "deepseek-fim", prompt: "def fib(a):", suffix, max_tokens: 128, user: "u-1" })
      .withResponse();
    expect(c.object).toBe("text_completion");
    expect(c.choices[0]?.text).toBe("/* between 11 and 30 */");
    expect(response.headers.get("x-router-provider")).toBe("deepseek");
    const got = w.up.requests.at(-1);
    expect(got).toMatchObject({
      path: "/beta/completions",
      json: { model: "deepseek-chat", prompt: "def fib(a):", suffix, max_tokens: 128 },
    });
    expect(got?.json?.user).toBeUndefined();
    expect(got?.headers.authorization).toBe("Bearer sk-deepseek");
    const rec = nextRecord("completions");
    const stream = await w.client.completions.create({
      model: "deepseek-fim",
      prompt: ["x = ", "1 +"],
      suffix: ";",
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? "";
    expect(text).toBe("/* between 7 and 1 */");
    expect(w.up.requests.at(-1)).toMatchObject({ path: "/beta/completions", json: { prompt: "x = 1 +", stream: true } });
    const r = await rec;
    expect([r.promptTokens, r.completionTokens]).toEqual([5, 3]);
    expect(r.costUsd).toBeCloseTo((5 * 0.28 + 3 * 0.42) / 1e6, 12);
  });

  it("a chat model on /v1/completions is a 400 saying which endpoint serves it", async () => {
    const res = await postJson("/v1/completions", { model: "gpt-4o", prompt: "hi" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/chat model.*POST \/v1\/chat\/completions/);
  });

  it("a key's rpm limit refuses with a 429 as for chat", async () => {
    const first = await postJson("/v1/moderations", { input: "a" }, `${KEY}-slow`);
    expect(first.status).toBe(200);
    const second = await postJson("/v1/moderations", { input: "b" }, `${KEY}-slow`);
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).not.toBeNull();
  });
});

describe("rerank through each provider type", () => {
  it.each([
    ["jina-reranker", "/v1/rerank", "/v1/rerank", { model: "jina-reranker-v2-base-multilingual", top_n: 2, return_documents: true }, 21],
    ["voyage-rerank", "/v1/rerank", "/v1/rerank", { model: "rerank-2", top_k: 2 }, 42],
    ["cohere-rerank", "/v2/rerank", "/v2/rerank", { model: "rerank-v3.5", top_n: 2 }, undefined],
    ["tei-rerank", "/v1/rerank", "/v1/rerank", { model: "bge-reranker", top_n: 2 }, 21],
    ["sf-rerank", "/v1/rerank", "/v1/rerank", { model: "BAAI/bge-reranker-v2-m3", top_n: 2 }, 21],
  ] as const)("%s via %s: translated to its format and back to {results, usage}", async (model, path, upstreamPath, sent, tokens) => {
    const rec = nextRecord("rerank");
    const res = await postJson(path, { model, query: "capital of France", documents: DOCS, top_n: 2, return_documents: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-router-attempts")).toBe("2");
    const body = (await res.json()) as RerankAnswer;
    expect(body.results.map((r) => r.index)).toEqual([0, 1]);
    expect(body.results[0]?.relevance_score).toBe(1);
    expect(body.results[0]?.document?.text).toBe("Paris is the capital of France");
    expect(body.results[1]?.document?.text).toBe("Berlin is the capital of Germany");
    const got = w.up.requests.at(-1);
    expect(got?.path).toBe(upstreamPath);
    expect(got?.json).toMatchObject(sent);
    expect(got?.json?.documents).toEqual(["Paris is the capital of France", "Berlin is the capital of Germany", "Bananas are yellow"]);
    const r = await rec;
    expect(r.promptTokens).toBe(tokens ?? 0);
    if (model === "cohere-rerank") {
      expect(body.usage.search_units).toBe(1);
      expect(r.usage?.searches).toBe(1);
      expect(r.costUsd).toBeCloseTo(0.002, 12);
    } else expect(body.usage.total_tokens).toBe(tokens);
  });

  it("the Qwen preset reranks through DashScope's text-rerank service, in its own shape both ways", async () => {
    const rec = nextRecord("rerank");
    const res = await postJson("/v1/rerank", {
      model: "gte-rerank",
      query: "capital of France",
      documents: DOCS,
      top_n: 2,
      return_documents: true,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-router-provider")).toBe("qwen");
    const body = (await res.json()) as RerankAnswer;
    expect(body.results.map((r) => [r.index, r.document?.text])).toEqual([
      [0, "Paris is the capital of France"],
      [1, "Berlin is the capital of Germany"],
    ]);
    expect(body.usage.total_tokens).toBe(33);
    const got = w.up.requests.at(-1);
    expect(got?.path).toBe(DASHSCOPE_RERANK);
    expect(got?.headers.authorization).toBe("Bearer sk-qwen");
    expect(got?.json).toEqual({
      model: "gte-rerank-v2",
      input: {
        query: "capital of France",
        documents: ["Paris is the capital of France", "Berlin is the capital of Germany", "Bananas are yellow"],
      },
      parameters: { top_n: 2, return_documents: false },
    });
    expect((await rec).promptTokens).toBe(33);
  });

  it("/v2/rerank serves every rerank provider too (Cohere's path with a Jina target)", async () => {
    const res = await postJson("/v2/rerank", { model: "jina-reranker", query: "yellow", documents: DOCS });
    expect(((await res.json()) as RerankAnswer).results[0]?.index).toBe(2);
  });

  it("an empty query, more than 1,000 documents or no documents are 400s naming the field, before any upstream call", async () => {
    const docs = Array.from({ length: 1001 }, (_, i) => `doc ${i}`);
    for (const [field, body] of [
      ["query", { model: "jina-reranker", query: "  ", documents: ["a"] }],
      ["documents", { model: "jina-reranker", query: "q", documents: docs }],
      ["documents", { model: "jina-reranker", query: "q", documents: [] }],
    ] as const) {
      const res = await postJson("/v1/rerank", body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { param: string } }).error.param).toBe(field);
    }
    expect(w.up.requests).toHaveLength(0);
  });

  it("a target whose provider type does not serve rerank (Mistral) is skipped without a call; the next one answers", async () => {
    const res = await postJson("/v1/rerank", { model: "mixed-rerank", query: "q", documents: ["a"] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-router-provider")).toBe("jina");
    expect(w.up.requests.map((r) => r.path)).toEqual(["/v1/rerank"]);
  });

  it("every target failing ends in OpenAI's error envelope after both attempts", async () => {
    w.up.failWith = 503;
    const res = await postJson("/v1/rerank", { model: "cohere-rerank", query: "q", documents: ["a"] });
    expect(res.status).toBe(503);
    expect(res.headers.get("x-router-attempts")).toBe("2");
    expect(((await res.json()) as { error: { type: string } }).error.type).toBeDefined();
  });
});
