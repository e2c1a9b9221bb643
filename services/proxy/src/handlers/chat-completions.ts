import { ChatCompletionRequest } from "@ai-router/contracts";
import { parseJsonObject, readBody } from "../http/read-body.js";
import { sendError } from "../http/respond.js";
import { validateBody } from "../http/validation.js";
import { chatNeeds, checkCapabilities } from "./capabilities.js";
import { type ChatExchange, resolveModel, serveChat } from "./chat-core.js";
import type { RequestContext } from "./context.js";

export { resolveModel } from "./chat-core.js";

/** POST /v1/chat/completions: route, translate, fail over, stream (the core is shared with /v1/messages). */
export async function handleChatCompletions(ctx: RequestContext): Promise<void> {
  const raw = await readBody(ctx.req, ctx.table.settings.maxBodyBytes);
  const body = validateBody(ChatCompletionRequest, parseJsonObject(raw));
  const model = resolveModel(ctx, body.model, "chat");
  checkCapabilities(model, chatNeeds(body));
  const stream = body.stream === true;
  const clientWantsUsage = stream && body.stream_options?.include_usage === true;

  await serveChat(ctx, {
    endpoint: "chat.completions",
    modelName: body.model,
    model,
    stream,
    promptTokens: raw.length >> 2,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    exchange(t, target): ChatExchange {
      const adapter = t.live.adapter;
      const local = adapter.local;
      if (local) {
        return {
          dropped: [],
          local: {
            json: () => local.complete(body, target),
            stream: () => local.stream(body, target, clientWantsUsage),
          },
          parse: (bytes) => adapter.parseChatResponse(bytes, target),
          createStream: () => adapter.createChatStream(target, { stripUsage: false, requestedModel: body.model }),
          parseError: adapter.parseError,
        };
      }
      const built = adapter.buildChatRequest(body, target, { stream, clientWantsUsage, rawBody: raw });
      return {
        dropped: built.dropped,
        request: built.request,
        parse: (bytes) => adapter.parseChatResponse(bytes, target),
        createStream: () => adapter.createChatStream(target, { stripUsage: built.stripUsage, requestedModel: body.model }),
        parseError: adapter.parseError,
      };
    },
    sendError,
    streamError: (err) => `data: ${JSON.stringify(err.toBody())}\n\n`,
  });
}
