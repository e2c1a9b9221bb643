import type { ProviderAdapter, TargetContext, UpstreamRequest } from "../adapter.js";
import type { AuthInput } from "../descriptor.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";

/** The API version used when the base URL names none (`...openai.azure.com/openai?api-version=...`). */
export const AZURE_DEFAULT_API_VERSION = "2024-10-21";

/** Azure authenticates with an `api-key` header, not a Bearer token. */
function azureAuth(auth: AuthInput): Record<string, string> {
  const h: Record<string, string> = Object.assign({}, auth.headers);
  if (auth.apiKey) h["api-key"] = auth.apiKey;
  return h;
}

/** `api-version` from the provider's base URL query, else the default. */
export function azureApiVersion(baseUrl: string): string {
  try {
    return new URL(baseUrl).searchParams.get("api-version") || AZURE_DEFAULT_API_VERSION;
  } catch {
    return AZURE_DEFAULT_API_VERSION;
  }
}

/**
 * Whether the base URL is Azure's newer v1 API (`https://{resource}.openai.azure.com/openai/v1`): OpenAI's
 * own paths with the deployment as `model`, no `api-version` unless the base URL names one (`preview`).
 */
export function isAzureV1(baseUrl: string): boolean {
  try {
    return /\/openai\/v1$/.test(new URL(baseUrl).pathname.replace(/\/+$/, ""));
  } catch {
    return false;
  }
}

/**
 * `/chat/completions` -> `/deployments/{deployment}/chat/completions?api-version=...`: the link's upstream
 * model is the deployment name; the key goes in `api-key`. On the v1 API the path stays OpenAI's (the
 * body's `model` already names the deployment).
 */
function toDeployment(req: UpstreamRequest, target: TargetContext): UpstreamRequest {
  const headers = Object.assign({}, req.headers);
  delete headers.authorization;
  if (target.apiKey) headers["api-key"] = target.apiKey;
  if (isAzureV1(target.provider.baseUrl)) {
    const named = new URL(target.provider.baseUrl).searchParams.get("api-version");
    const path = named ? `${req.path}${req.path.includes("?") ? "&" : "?"}api-version=${encodeURIComponent(named)}` : req.path;
    return Object.assign({}, req, { path, headers });
  }
  const version = encodeURIComponent(azureApiVersion(target.provider.baseUrl));
  const path = `/deployments/${encodeURIComponent(target.upstreamModel)}${req.path}?api-version=${version}`;
  return Object.assign({}, req, { path, headers });
}

/**
 * Azure OpenAI (`https://{resource}.openai.azure.com/openai`, no default: the resource is yours;
 * `?api-version=` on the base URL picks the API version, 2024-10-21 otherwise). Each link's upstream model
 * is a deployment name; chat, embeddings and images go to `/deployments/{name}/...`. A base URL ending in
 * `/openai/v1` is the v1 API: OpenAI's paths, the deployment as `model`.
 */
export const azureOpenAIAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "azure-openai",
  keyRequired: true,
  // The v1 API lists models with no api-version; the classic one needs one.
  probePath: (basePath) => (/\/openai\/v1$/.test(basePath) ? "/models" : `/models?api-version=${AZURE_DEFAULT_API_VERSION}`),
  authHeaders: azureAuth,
  finish: toDeployment,
});
