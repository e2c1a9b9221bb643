import { describe, expect, it } from "vitest";
import type { TargetContext } from "../adapter.js";
import { cohereRerank, jinaRerank, voyageRerank } from "./formats.js";

const target = {
  provider: { headers: {} },
  apiKey: "k",
  upstreamModel: "up-model",
  params: {},
  clientHeaders: {},
} as unknown as TargetContext;
const request = { model: "client", query: "q", documents: ["a", { text: "b" }, "c"], top_n: 2, return_documents: true };
const json = (b: Buffer) => JSON.parse(b.toString()) as Record<string, unknown>;

describe("rerank formats", () => {
  it("build each provider's request: documents as strings, the upstream model, top_n or top_k", () => {
    expect(json(jinaRerank().build(request, target).body as Buffer)).toEqual({
      model: "up-model",
      query: "q",
      documents: ["a", "b", "c"],
      top_n: 2,
      return_documents: true,
    });
    const cohere = cohereRerank().build(request, target);
    expect(cohere.path).toBe("/v2/rerank");
    expect(json(cohere.body as Buffer)).toEqual({ model: "up-model", query: "q", documents: ["a", "b", "c"], top_n: 2 });
    expect(json(voyageRerank().build(request, target).body as Buffer)).toMatchObject({ top_k: 2, return_documents: false });
  });

  it("answer in one shape, best first, with the client's documents; usage in tokens or searches", () => {
    const cohere = cohereRerank().parse(
      Buffer.from(
        JSON.stringify({
          id: "x",
          results: [
            { index: 2, relevance_score: 0.2 },
            { index: 1, relevance_score: 0.9 },
          ],
          meta: { billed_units: { search_units: 1 } },
        }),
      ),
      request,
      target,
    );
    expect(json(cohere.body as Buffer)).toEqual({
      id: "x",
      results: [
        { index: 1, relevance_score: 0.9, document: { text: "b" } },
        { index: 2, relevance_score: 0.2, document: { text: "c" } },
      ],
      usage: { search_units: 1 },
      meta: { billed_units: { search_units: 1 } },
    });
    expect(cohere.usage).toMatchObject({ searches: 1, prompt_tokens: 0 });
    const voyage = voyageRerank().parse(
      Buffer.from(JSON.stringify({ data: [{ index: 0, relevance_score: 0.5 }], usage: { total_tokens: 9 } })),
      Object.assign({}, request, { return_documents: false }),
      target,
    );
    expect(json(voyage.body as Buffer)).toEqual({ results: [{ index: 0, relevance_score: 0.5 }], usage: { total_tokens: 9 } });
    expect(voyage.usage?.prompt_tokens).toBe(9);
    // An index outside the client's documents is dropped, never answered with another document.
    const bad = jinaRerank().parse(Buffer.from(JSON.stringify({ results: [{ index: 7, relevance_score: 1 }] })), request, target);
    expect(json(bad.body as Buffer).results).toEqual([]);
    expect(() => jinaRerank().parse(Buffer.from("{}"), request, target)).toThrow();
  });
});
