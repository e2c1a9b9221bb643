import type { ProviderAdapter } from "../adapter.js";
import { bearerAuth } from "../openai-base/api.js";
import { buildOpenAIChatRequest, parseOpenAIChatResponse } from "../openai-base/chat.js";
import { parseOpenAIError } from "../openai-base/errors.js";
import { OpenAIStreamTranslator } from "../openai-base/stream.js";
import { mockTransport } from "./transport.js";

/**
 * Answers in-process in OpenAI's format (demos, load tests, trying the router without a key). It is a
 * provider like the others: requests are built and answers parsed as for any OpenAI-style upstream;
 * only its transport is local, so it never opens a connection.
 */
export const mockAdapter: ProviderAdapter = {
  type: "mock",
  descriptor: {
    type: "mock",
    defaultBaseUrl: "http://mock.invalid",
    keyRequired: false,
    probePath: () => undefined,
    authHeaders: bearerAuth,
    nativeFormats: [],
    endpoints: ["chat"],
  },
  buildChatRequest: (req, target, opts) => buildOpenAIChatRequest(req, target, opts, opts.rawBody),
  parseChatResponse: (body) => parseOpenAIChatResponse(body),
  createChatStream: (_t, opts) => new OpenAIStreamTranslator(opts.stripUsage),
  parseError: parseOpenAIError,
  transport: mockTransport,
};
