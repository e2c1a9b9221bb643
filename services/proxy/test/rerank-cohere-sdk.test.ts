import { CohereClient, CohereClientV2 } from "cohere-ai";
import { describe, expect, it } from "vitest";
import { KEY, nextRecord, useMoreWorld } from "./more-endpoints-setup.js";

const w = useMoreWorld();

const DOCS = ["Paris is the capital of France", "Berlin is the capital of Germany", "Bananas are yellow"];

/** Cohere's own SDK pointed at the router (`baseUrl`), the client key as its token. */
describe("rerank with the cohere-ai SDK through the router", () => {
  it("CohereClientV2.rerank (POST /v2/rerank) to a Cohere target: its answer read by the SDK, a search charged", async () => {
    const cohere = new CohereClientV2({ token: KEY, baseUrl: w.proxy.url, maxRetries: 0 });
    const rec = nextRecord("rerank");
    const r = await cohere.rerank({ model: "cohere-rerank", query: "capital of France", documents: DOCS, topN: 2 });
    expect(r.results.map((x) => x.index)).toEqual([0, 1]);
    expect(r.results[0]?.relevanceScore).toBe(1);
    expect(r.meta?.billedUnits?.searchUnits).toBe(1);
    const got = w.up.requests.at(-1);
    expect(got?.path).toBe("/v2/rerank");
    expect(got?.json).toMatchObject({ model: "rerank-v3.5", query: "capital of France", documents: DOCS, top_n: 2 });
    expect(got?.headers.authorization).toBe("Bearer sk-cohere");
    const record = await rec;
    expect(record.usage?.searches).toBe(1);
    expect(record.costUsd).toBeCloseTo(0.002, 12);
  });

  it("CohereClient (v1).rerank with {text} documents and returnDocuments, to a Jina target (POST /v1/rerank)", async () => {
    const cohere = new CohereClient({ token: KEY, baseUrl: w.proxy.url, maxRetries: 0 });
    const r = await cohere.rerank({
      model: "jina-reranker",
      query: "yellow fruit",
      documents: DOCS.map((text) => ({ text })),
      topN: 1,
      returnDocuments: true,
    });
    expect(r.results).toHaveLength(1);
    expect(r.results[0]).toMatchObject({ index: 2, document: { text: "Bananas are yellow" } });
    expect(w.up.requests.at(-1)).toMatchObject({
      path: "/v1/rerank",
      json: { model: "jina-reranker-v2-base-multilingual", documents: DOCS, top_n: 1 },
    });
  });

  it("a bad request is the SDK's BadRequestError, before any upstream call", async () => {
    const cohere = new CohereClientV2({ token: KEY, baseUrl: w.proxy.url, maxRetries: 0 });
    await expect(cohere.rerank({ model: "cohere-rerank", query: "", documents: DOCS })).rejects.toMatchObject({ statusCode: 400 });
    expect(w.up.requests).toHaveLength(0);
  });
});
