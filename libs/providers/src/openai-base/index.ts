import type { ChatCompletionRequest, OpenAIUsage, ProviderType } from "@ai-router/contracts";
import type { ChatBuildOptions, NativeEndpoint, PassthroughEndpoint, ProviderAdapter, TargetContext } from "../adapter.js";
import type { NativeFormat, ProviderDescriptor } from "../descriptor.js";
import { bearerAuth, postJson } from "./api.js";
import { buildOpenAIChatRequest, parseOpenAIChatResponse } from "./chat.js";
import { parseOpenAIError } from "./errors.js";
import { imageUsage, multipartEndpoint } from "./images.js";
import { OpenAIStreamTranslator } from "./stream.js";
import { extractUsage } from "./usage.js";

export { bearerAuth, openAIHeaders, postJson } from "./api.js";
export { buildOpenAIChatRequest, parseOpenAIChatResponse } from "./chat.js";
export { parseOpenAIError, toUpstreamError } from "./errors.js";
export { imageUsage, multipartEndpoint, toUpstreamForm } from "./images.js";
export { OpenAIStreamTranslator } from "./stream.js";
export { extractUsage, normalizeUsage } from "./usage.js";

/** OpenAI's own JSON endpoints: the body goes up with the model rewritten, the answer comes back as it is. */
const passthrough = (path: string, usage: (body: Buffer) => OpenAIUsage | undefined = extractUsage): PassthroughEndpoint => ({
  build: (body, target) => postJson(path, JSON.stringify(Object.assign({}, target.params, body, { model: target.upstreamModel })), target),
  parse: (body) => ({ body, usage: usage(body) }),
});

/** What sets one OpenAI-compatible provider apart from another. */
export interface OpenAIBaseOptions {
  type: ProviderType;
  /** Base URL with its version path (`https://api.deepseek.com/v1`); none: the provider row must name one. */
  defaultBaseUrl?: string;
  /** True when the service refuses requests without a key (a local server usually needs none). */
  keyRequired: boolean;
  /** The model list probed by the health worker, under the base path; `/models` by default. */
  probePath?: string;
  /** Authentication other than a Bearer key (e.g. an `api-key` header). */
  authHeaders?: ProviderDescriptor["authHeaders"];
  /** Front-door formats the provider serves natively (OpenAI itself: `responses`). */
  native?: Partial<Record<NativeFormat, NativeEndpoint>>;
}

/** The descriptor of an OpenAI-style provider. */
export function openAIDescriptor(o: OpenAIBaseOptions): ProviderDescriptor {
  const probe = o.probePath ?? "/models";
  return {
    type: o.type,
    ...(o.defaultBaseUrl ? { defaultBaseUrl: o.defaultBaseUrl } : {}),
    keyRequired: o.keyRequired,
    probePath: () => probe,
    authHeaders: o.authHeaders ?? bearerAuth,
    nativeFormats: Object.keys(o.native ?? {}) as NativeFormat[],
  };
}

/**
 * The adapter every OpenAI-compatible upstream shares: a preset (DeepSeek, Qwen, Ollama...) is this
 * call with its type, default base URL and key rule, in a folder of its own.
 */
export function createOpenAIBaseAdapter(o: OpenAIBaseOptions): ProviderAdapter {
  return {
    type: o.type,
    descriptor: openAIDescriptor(o),
    buildChatRequest: (req: ChatCompletionRequest, target: TargetContext, opts: ChatBuildOptions) =>
      buildOpenAIChatRequest(req, target, opts, opts.rawBody),
    parseChatResponse: (body) => parseOpenAIChatResponse(body),
    createChatStream: (_target, opts) => new OpenAIStreamTranslator(opts.stripUsage),
    parseError: parseOpenAIError,
    embeddings: passthrough("/embeddings"),
    imageGenerations: passthrough("/images/generations", imageUsage),
    imageEdits: multipartEndpoint("/images/edits"),
    imageVariations: multipartEndpoint("/images/variations"),
    ...(o.native ? { native: o.native } : {}),
  };
}
