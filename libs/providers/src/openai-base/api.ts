import type { TargetContext, UpstreamRequest } from "../adapter.js";
import type { AuthInput } from "../descriptor.js";

/** OpenAI-style authentication: the provider's extra headers and the key as a Bearer token. */
export function bearerAuth(auth: AuthInput): Record<string, string> {
  const h: Record<string, string> = Object.assign({}, auth.headers);
  if (auth.apiKey) h.authorization = `Bearer ${auth.apiKey}`;
  return h;
}

/** Headers every OpenAI-style request carries; a stream asks for an event stream. */
export function openAIHeaders(target: TargetContext, stream = false): Record<string, string> {
  const h: Record<string, string> = { "content-type": "application/json", accept: stream ? "text/event-stream" : "application/json" };
  return Object.assign(h, bearerAuth({ headers: target.provider.headers, apiKey: target.apiKey }));
}

export function postJson(path: string, body: string | Buffer, target: TargetContext, stream = false): UpstreamRequest {
  return { method: "POST", path, headers: openAIHeaders(target, stream), body };
}
