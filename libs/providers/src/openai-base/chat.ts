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
  const injectUsage = injectsStreamUsage(target, opts);
  const hasParams = hasKeys(target.params);
  if (rawBody && !hasParams && req.model === target.upstreamModel) {
    // Fast path: nothing to change, forward the client's bytes untouched.
    if (!injectUsage) return { request: postJson("/chat/completions", rawBody, target, opts.stream), dropped: [], stripUsage: false };
    // Only usage to ask for: splice it in front instead of re-serialising the whole body, unless the
    // client's JSON has stream_options in any spelling (`"stre\u0061m_options"` is the same key): then
    // the body is rebuilt, so no later duplicate key can switch the usage chunk off again.
    const spliced = Object.hasOwn(req, "stream_options") ? undefined : withStreamUsage(rawBody);
    if (spliced) return { request: postJson("/chat/completions", spliced, target, opts.stream), dropped: [], stripUsage: true };
  }
  const body: Record<string, unknown> = Object.assign({}, hasParams ? target.params : undefined, req);
  return {
    request: postJson("/chat/completions", upstreamChatBody(body, target, injectUsage), target, opts.stream),
    dropped: [],
    stripUsage: injectUsage,
  };
}

/** True when a stream's usage chunk must be asked for: the provider honours it and the client did not ask. */
export function injectsStreamUsage(target: TargetContext, opts: ChatBuildOptions): boolean {
  return opts.stream && target.provider.streamUsage && !opts.clientWantsUsage;
}

/**
 * A chat body the caller owns (a copy of the client's request, target defaults merged) made ready to
 * send: the upstream model id and, with `injectUsage`, `stream_options.include_usage`.
 */
export function upstreamChatBody(body: Record<string, unknown>, target: TargetContext, injectUsage: boolean): string {
  body.model = target.upstreamModel;
  if (injectUsage) body.stream_options = Object.assign({}, body.stream_options, { include_usage: true });
  return JSON.stringify(body);
}

export function parseOpenAIChatResponse(body: Buffer): ParsedResponse {
  return { body, usage: extractUsage(body) };
}

const USAGE_PREFIX = Buffer.from('{"stream_options":{"include_usage":true},');

/**
 * `{"stream_options":{"include_usage":true}, ...the client's fields}` from the client's bytes (whose
 * parsed form has no `stream_options`: the caller checks the parsed request, never the text), or
 * undefined when the bytes do not start with an object.
 */
export function withStreamUsage(raw: Buffer): Buffer | undefined {
  let i = 0;
  while (i < raw.length && (raw[i] === 0x20 || raw[i] === 0x0a || raw[i] === 0x0d || raw[i] === 0x09)) i++;
  if (raw[i] !== 0x7b) return undefined;
  return Buffer.concat([USAGE_PREFIX, raw.subarray(i + 1)]);
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
