import type { ChatCompletionRequest } from "@ai-router/contracts";
import type { BuiltRequest, ChatBuildOptions, ParsedResponse, TargetContext } from "../adapter.js";
import { postJson } from "./api.js";
import { extractUsage } from "./usage.js";

/**
 * OpenAI chat request for an OpenAI-style upstream: the client's body with the upstream model id,
 * target defaults merged under it, and usage requested in streams so no usage record is lost.
 */
export function buildOpenAIChatRequest(
  req: ChatCompletionRequest,
  target: TargetContext,
  opts: ChatBuildOptions,
  rawBody?: Buffer,
): BuiltRequest {
  const injectUsage = opts.stream && target.provider.streamUsage && !opts.clientWantsUsage;
  const hasParams = hasKeys(target.params);
  // Fast path: nothing to change, forward the client's bytes untouched.
  if (rawBody && !injectUsage && !hasParams && req.model === target.upstreamModel) {
    return { request: postJson("/chat/completions", rawBody, target), dropped: [], stripUsage: false };
  }
  const body: Record<string, unknown> = hasParams ? { ...target.params, ...req } : { ...req };
  body.model = target.upstreamModel;
  if (injectUsage) body.stream_options = { ...(req.stream_options ?? {}), include_usage: true };
  return { request: postJson("/chat/completions", JSON.stringify(body), target), dropped: [], stripUsage: injectUsage };
}

export function parseOpenAIChatResponse(body: Buffer): ParsedResponse {
  return { body, usage: extractUsage(body) };
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
