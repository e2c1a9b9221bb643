import type { OpenAIUsage } from "@ai-router/contracts";
import type { PassthroughEndpoint, TargetContext } from "../adapter.js";
import { postJson } from "../openai-base/api.js";

/**
 * Rerank in the client's shape (Jina's and Cohere's: `model`, `query`, `documents` as strings or
 * `{text}`, `top_n`, `return_documents`), answered as `{ results: [{ index, relevance_score, document? }],
 * usage }`, translated per provider: Jina's own format (also SiliconFlow, vLLM, TEI), Cohere v2, Voyage.
 */
export interface RerankBody {
  query: string;
  documents: (string | { text: string })[];
  top_n?: number;
  return_documents?: boolean;
}

interface RerankResult {
  index: number;
  relevance_score: number;
  document?: { text: string };
}

export const texts = (b: RerankBody): string[] => b.documents.map((d) => (typeof d === "string" ? d : d.text));
export const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined);

/** The client's answer: results best first, each document's text where asked for, and a usage block. */
export function rerankAnswer(
  raw: { id?: unknown },
  results: RerankResult[],
  req: RerankBody,
  tokens: number | undefined,
  searches: number | undefined,
): { body: Buffer; usage: OpenAIUsage } {
  const docs = texts(req);
  const out = results
    .filter((r) => Number.isInteger(r.index) && r.index >= 0 && r.index < docs.length)
    .map((r) =>
      req.return_documents ? { index: r.index, relevance_score: r.relevance_score, document: { text: docs[r.index] as string } } : r,
    );
  const usage: Record<string, number> = {};
  if (tokens !== undefined) usage.total_tokens = tokens;
  if (searches !== undefined) usage.search_units = searches;
  const body: Record<string, unknown> = typeof raw.id === "string" ? { id: raw.id, results: out, usage } : { results: out, usage };
  // Cohere's clients read billed searches from `meta` (its SDKs' `meta.billedUnits.searchUnits`).
  if (searches !== undefined) body.meta = { billed_units: { search_units: searches } };
  const t = tokens ?? 0;
  return {
    body: Buffer.from(JSON.stringify(body)),
    usage: { prompt_tokens: t, completion_tokens: 0, total_tokens: t, searches: searches ?? 1 },
  };
}

export function readResults(list: unknown): RerankResult[] {
  if (!Array.isArray(list)) throw new Error("rerank answer without results");
  return list
    .map((r: { index?: unknown; relevance_score?: unknown }) => ({ index: Number(r?.index), relevance_score: Number(r?.relevance_score) }))
    .sort((a, b) => b.relevance_score - a.relevance_score);
}

const build = (path: string, body: Record<string, unknown>, target: TargetContext) =>
  postJson(path, JSON.stringify(Object.assign({}, target.params, body, { model: target.upstreamModel })), target);

/** Jina's format at `<base_url>/rerank` (SiliconFlow, vLLM and TEI speak it too). */
export const jinaRerank = (path = "/rerank"): PassthroughEndpoint => ({
  build: (body, target) => {
    const b = body as unknown as RerankBody;
    return build(path, { query: b.query, documents: texts(b), top_n: b.top_n, return_documents: b.return_documents }, target);
  },
  parse: (bytes, request) => {
    const raw = JSON.parse(bytes.toString("utf8")) as {
      id?: unknown;
      results?: unknown;
      usage?: { total_tokens?: unknown; prompt_tokens?: unknown };
      meta?: { tokens?: { input_tokens?: unknown } };
    };
    const tokens = num(raw.usage?.total_tokens) ?? num(raw.usage?.prompt_tokens) ?? num(raw.meta?.tokens?.input_tokens);
    return rerankAnswer(raw, readResults(raw.results), request as unknown as RerankBody, tokens, undefined);
  },
});

/** Cohere v2 at `<base_url>/v2/rerank`: billed in search units (`meta.billed_units.search_units`). */
export const cohereRerank = (path = "/v2/rerank"): PassthroughEndpoint => ({
  build: (body, target) => {
    const b = body as unknown as RerankBody;
    return build(path, { query: b.query, documents: texts(b), top_n: b.top_n }, target);
  },
  parse: (bytes, request) => {
    const raw = JSON.parse(bytes.toString("utf8")) as {
      id?: unknown;
      results?: unknown;
      meta?: { billed_units?: { search_units?: unknown } };
    };
    return rerankAnswer(
      raw,
      readResults(raw.results),
      request as unknown as RerankBody,
      undefined,
      num(raw.meta?.billed_units?.search_units) ?? 1,
    );
  },
});

/** Voyage at `<base_url>/rerank`: `top_k` for `top_n`, results in `data`. */
export const voyageRerank = (path = "/rerank"): PassthroughEndpoint => ({
  build: (body, target) => {
    const b = body as unknown as RerankBody;
    return build(path, { query: b.query, documents: texts(b), top_k: b.top_n, return_documents: false }, target);
  },
  parse: (bytes, request) => {
    const raw = JSON.parse(bytes.toString("utf8")) as { data?: unknown; usage?: { total_tokens?: unknown } };
    return rerankAnswer({}, readResults(raw.data), request as unknown as RerankBody, num(raw.usage?.total_tokens), undefined);
  },
});
