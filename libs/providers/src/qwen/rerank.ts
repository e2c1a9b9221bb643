import type { PassthroughEndpoint } from "../adapter.js";
import { postJson } from "../openai-base/api.js";
import { num, type RerankBody, readResults, rerankAnswer, texts } from "../rerank/formats.js";
import { besideBasePath } from "../root-path.js";

/** DashScope's text rerank service, from the origin (beside the compatible mode the preset's base URL names). */
const RERANK_PATH = "/api/v1/services/rerank/text-rerank/text-rerank";

/**
 * Rerank on DashScope (`gte-rerank`, `gte-rerank-v2`, `qwen3-rerank`): its own request,
 * `{ model, input: { query, documents }, parameters: { top_n, return_documents } }`, answered as
 * `{ output: { results: [{ index, relevance_score, document? }] }, usage: { total_tokens }, request_id }`
 * and translated back to the client's `{ results, usage }`.
 */
export const dashscopeRerank = (): PassthroughEndpoint => ({
  build: (body, target) => {
    const b = body as unknown as RerankBody;
    const parameters: Record<string, unknown> = {};
    if (b.top_n !== undefined) parameters.top_n = b.top_n;
    // The client's documents are known here: their text is put back into the answer when asked for.
    parameters.return_documents = false;
    const out = { model: target.upstreamModel, input: { query: b.query, documents: texts(b) }, parameters };
    const path = besideBasePath(target.provider.basePath, ["/compatible-mode/v1", "/api/v1"], RERANK_PATH);
    return Object.assign(postJson(path, JSON.stringify(out), target), { rootPath: true });
  },
  parse: (bytes, request) => {
    const raw = JSON.parse(bytes.toString("utf8")) as {
      request_id?: unknown;
      output?: { results?: unknown };
      usage?: { total_tokens?: unknown };
    };
    return rerankAnswer(
      { id: raw.request_id },
      readResults(raw.output?.results),
      request as unknown as RerankBody,
      num(raw.usage?.total_tokens),
      undefined,
    );
  },
});
