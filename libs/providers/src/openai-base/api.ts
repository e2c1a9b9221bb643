import type { TargetContext, UpstreamRequest } from "../adapter.js";
import type { AuthInput } from "../descriptor.js";

/** OpenAI-style authentication: the provider's extra headers and the key as a Bearer token. */
export function bearerAuth(auth: AuthInput): Record<string, string> {
  const h: Record<string, string> = Object.assign({}, auth.headers);
  if (auth.apiKey) h.authorization = `Bearer ${auth.apiKey}`;
  return h;
}

/** Headers every OpenAI-style request carries. */
export function openAIHeaders(target: TargetContext): Record<string, string> {
  const h: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  return Object.assign(h, bearerAuth({ headers: target.provider.headers, apiKey: target.apiKey }));
}

export function postJson(path: string, body: string | Buffer, target: TargetContext): UpstreamRequest {
  return { method: "POST", path, headers: openAIHeaders(target), body };
}
