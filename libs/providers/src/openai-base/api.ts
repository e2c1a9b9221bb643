import type { TargetContext, UpstreamRequest } from "../adapter.js";

/** Headers every OpenAI-style request carries. */
export function openAIHeaders(target: TargetContext): Record<string, string> {
  const h: Record<string, string> = { "content-type": "application/json", accept: "application/json", ...target.provider.headers };
  if (target.apiKey) h.authorization = `Bearer ${target.apiKey}`;
  return h;
}

export function postJson(path: string, body: string | Buffer, target: TargetContext): UpstreamRequest {
  return { method: "POST", path, headers: openAIHeaders(target), body };
}
