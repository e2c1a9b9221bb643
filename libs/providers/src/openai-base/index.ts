import type { ChatCompletionRequest, OpenAIUsage, ProviderType } from "@ai-router/contracts";
import type { ChatBuildOptions, PassthroughEndpoint, ProviderAdapter, TargetContext } from "../adapter.js";
import { postJson } from "./api.js";
import { buildOpenAIChatRequest, parseOpenAIChatResponse } from "./chat.js";
import { parseOpenAIError } from "./errors.js";
import { imageUsage, multipartEndpoint } from "./images.js";
import { OpenAIStreamTranslator } from "./stream.js";
import { extractUsage } from "./usage.js";

export { openAIHeaders } from "./api.js";
export { parseOpenAIError, toUpstreamError } from "./errors.js";
export { imageUsage, multipartEndpoint, toUpstreamForm } from "./images.js";
export { OpenAIStreamTranslator } from "./stream.js";
export { extractUsage, normalizeUsage } from "./usage.js";

/** OpenAI's own JSON endpoints: the body goes up with the model rewritten, the answer comes back as it is. */
const passthrough = (path: string, usage: (body: Buffer) => OpenAIUsage | undefined = extractUsage): PassthroughEndpoint => ({
  build: (body, target) => postJson(path, JSON.stringify(Object.assign({}, target.params, body, { model: target.upstreamModel })), target),
  parse: (body) => ({ body, usage: usage(body) }),
});

/** The adapter every OpenAI-compatible upstream shares; providers only set their type. */
export function createOpenAIBaseAdapter(type: ProviderType): ProviderAdapter {
  return {
    type,
    buildChatRequest: (req: ChatCompletionRequest, target: TargetContext, opts: ChatBuildOptions) =>
      buildOpenAIChatRequest(req, target, opts, opts.rawBody),
    parseChatResponse: (body) => parseOpenAIChatResponse(body),
    createChatStream: (_target, opts) => new OpenAIStreamTranslator(opts.stripUsage),
    parseError: parseOpenAIError,
    embeddings: passthrough("/embeddings"),
    imageGenerations: passthrough("/images/generations", imageUsage),
    imageEdits: multipartEndpoint("/images/edits"),
    imageVariations: multipartEndpoint("/images/variations"),
  };
}
