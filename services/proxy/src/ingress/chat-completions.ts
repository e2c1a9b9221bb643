import { ChatCompletionRequest, isPlainChatRequest } from "@ai-router/contracts";
import { parseJsonObject } from "../http/read-body.js";
import { sendError } from "../http/respond.js";
import { validateBody } from "../http/validation.js";
import type { Ingress } from "./ingress.js";

/**
 * POST /v1/chat/completions: OpenAI chat is the internal form, so the request goes to every adapter
 * as it is (the client's bytes when nothing needs changing) and the answer comes back as it is.
 */
export const chatCompletionsIngress: Ingress = {
  name: "openai-chat",
  endpoint: () => "chat.completions",
  parse(raw) {
    const json = parseJsonObject(raw);
    // The common shape is recognised without zod; anything else is the schema's (and its 400's).
    const body = isPlainChatRequest(json) ? json : validateBody(ChatCompletionRequest, json);
    const stream = body.stream === true;
    const form = { req: body, dropped: [], clientWantsUsage: stream && body.stream_options?.include_usage === true, rawBody: raw };
    return {
      model: body.model,
      stream,
      maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
      json,
      toChat: () => form,
    };
  },
  sendError,
  streamError: (err) => `data: ${JSON.stringify(err.toBody())}\n\n`,
};
