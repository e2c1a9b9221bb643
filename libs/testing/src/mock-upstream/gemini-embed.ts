/** The mock's `batchEmbedContents`: what Gemini refuses in a body, and deterministic vectors. */
import { type Content, fields, type Json } from "./gemini-validate.js";

const EMBED_FIELDS = fields("model", "content", "taskType", "title", "outputDimensionality");
const TASK_TYPES = new Set([
  "TASK_TYPE_UNSPECIFIED",
  "RETRIEVAL_QUERY",
  "RETRIEVAL_DOCUMENT",
  "SEMANTIC_SIMILARITY",
  "CLASSIFICATION",
  "CLUSTERING",
  "QUESTION_ANSWERING",
  "FACT_VERIFICATION",
  "CODE_RETRIEVAL_QUERY",
]);
/** Dimensions of an answer without `outputDimensionality` (gemini-embedding-001's default). */
export const GEMINI_EMBEDDING_DIMENSIONS = 3072;

/**
 * The mock's embedding of a text: deterministic (same text, same vector), float32-exact values so
 * that a base64 float32 encoding decodes to the very same numbers, `dims` long.
 */
export function geminiMockVector(text: string, dims = GEMINI_EMBEDDING_DIMENSIONS): number[] {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619) >>> 0;
  return Array.from({ length: dims }, (_, i) => Math.fround(Math.sin(seed + i * 0.7)));
}

/** Why Gemini would refuse a `batchEmbedContents` body for `model` (the id in the URL), if it would. */
export function validateGeminiEmbed(body: unknown, model: string): string | undefined {
  const b = body as { requests?: unknown } | null;
  if (!b || typeof b !== "object") return "Invalid JSON payload received.";
  for (const k of Object.keys(b)) if (k !== "requests") return `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`;
  if (!Array.isArray(b.requests) || b.requests.length === 0)
    return "* BatchEmbedContentsRequest.requests: at least one request is required";
  if (b.requests.length > 100) return "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch";
  for (const [i, r] of (b.requests as Json[]).entries()) {
    const at = `requests[${i}]`;
    for (const k of Object.keys(r)) {
      if (!EMBED_FIELDS.has(k)) return `Invalid JSON payload received. Unknown name "${k}" at '${at}': Cannot find field.`;
    }
    if (r.model !== `models/${model}`) {
      return `* BatchEmbedContentsRequest.${at}.model: Model name in the request must match the model in the URL (models/${model}).`;
    }
    const parts = (r.content as Content | undefined)?.parts;
    if (!Array.isArray(parts) || parts.length === 0)
      return `* BatchEmbedContentsRequest.${at}.content.parts: contents.parts must not be empty.`;
    if (parts.some((p) => typeof p.text !== "string"))
      return `* BatchEmbedContentsRequest.${at}.content.parts: only text parts can be embedded.`;
    const d = r.outputDimensionality;
    if (d !== undefined && (!Number.isInteger(d) || (d as number) < 1 || (d as number) > GEMINI_EMBEDDING_DIMENSIONS)) {
      return `* BatchEmbedContentsRequest.${at}.output_dimensionality: must be between 1 and ${GEMINI_EMBEDDING_DIMENSIONS}.`;
    }
    if (r.taskType !== undefined && !TASK_TYPES.has(r.taskType as string)) {
      return `Invalid value at '${at}.task_type' (type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), "${String(r.taskType)}"`;
    }
  }
  return undefined;
}

/** `BatchEmbedContentsResponse` for a valid body: one `{values}` per request, in order (no usage: Gemini sends none). */
export function geminiEmbedResponse(body: { requests: { content: { parts: { text: string }[] }; outputDimensionality?: number }[] }) {
  return {
    embeddings: body.requests.map((r) => ({
      values: geminiMockVector(r.content.parts.map((p) => p.text).join(""), r.outputDimensionality),
    })),
  };
}
