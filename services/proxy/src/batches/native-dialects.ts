import { BATCH_ENDPOINTS } from "../files/jsonl-check.js";

/**
 * How a provider type's own batch API names the router's batch endpoints: OpenAI's as they are; Azure
 * OpenAI's (`{endpoint}/openai/batches?api-version=`, files at `/openai/files`) without `/v1`, for chat
 * and embeddings (the others run by the router). Undefined: the type has no batch API for that endpoint.
 */
const DIALECTS: Record<string, (endpoint: string) => string | undefined> = {
  openai: (e) => ((BATCH_ENDPOINTS as readonly string[]).includes(e) ? e : undefined),
  "azure-openai": (e) => (e === "/v1/chat/completions" || e === "/v1/embeddings" ? e.slice("/v1".length) : undefined),
};

/** The endpoint's name in the provider type's batch API (batch and line `url`), or undefined. */
export function nativeEndpoint(type: string, endpoint: string): string | undefined {
  return DIALECTS[type]?.(endpoint);
}
