import type { ProviderAdapter } from "../adapter.js";
import { parseOpenAIError } from "../openai-base/errors.js";
import { OpenAIStreamTranslator } from "../openai-base/stream.js";
import { extractUsage } from "../openai-base/usage.js";
import { mockCompletion } from "./chat.js";
import { mockStream } from "./stream.js";

/**
 * Answers in-process in OpenAI's format (demos, load tests, trying the router without a key).
 * It never opens a connection, so the HTTP hooks are unused.
 */
export const mockAdapter: ProviderAdapter = {
  type: "mock",
  buildChatRequest: () => {
    throw new Error("the mock provider answers locally");
  },
  parseChatResponse: (body) => ({ body, usage: extractUsage(body) }),
  createChatStream: (_t, opts) => new OpenAIStreamTranslator(opts.stripUsage),
  parseError: parseOpenAIError,
  local: {
    complete: (req, target) => mockCompletion(req, target.upstreamModel),
    stream: (req, target, includeUsage) => mockStream(req, target.upstreamModel, includeUsage),
  },
};
