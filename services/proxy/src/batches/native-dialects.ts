import { isAzureV1 } from "@ai-router/providers";
import { BATCH_ENDPOINTS } from "../files/jsonl-check.js";

const openAI = (e: string) => ((BATCH_ENDPOINTS as readonly string[]).includes(e) ? e : undefined);

/**
 * How a provider type's own batch API names the router's batch endpoints: OpenAI's as they are; Azure
 * OpenAI's (`{endpoint}/openai/batches?api-version=`, files at `/openai/files`) without `/v1`, for chat
 * and embeddings (the others run by the router); Azure's v1 API (a base URL ending in `/openai/v1`:
 * `/openai/v1/batches`, `/openai/v1/files`) OpenAI's names, with `/v1/responses` besides chat and
 * embeddings. Undefined: the type has no batch API for that endpoint.
 */
const DIALECTS: Record<string, (endpoint: string, baseUrl: string) => string | undefined> = {
  openai: openAI,
  "azure-openai": (e, baseUrl) => {
    if (isAzureV1(baseUrl)) return e === "/v1/chat/completions" || e === "/v1/embeddings" || e === "/v1/responses" ? e : undefined;
    return e === "/v1/chat/completions" || e === "/v1/embeddings" ? e.slice("/v1".length) : undefined;
  },
};

/** The endpoint's name in the provider's batch API (batch and line `url`), or undefined. */
export function nativeEndpoint(provider: { type: string; baseUrl: string }, endpoint: string): string | undefined {
  return DIALECTS[provider.type]?.(endpoint, provider.baseUrl);
}
