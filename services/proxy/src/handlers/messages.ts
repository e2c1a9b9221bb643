import type { ChatCompletionRequest } from "@ai-router/contracts";
import {
  type AnthropicRequest,
  type ChatStreamTranslator,
  OpenAIStreamTranslator,
  OpenAIToAnthropicStream,
  type ProviderAdapter,
  type TargetContext,
  type ToOpenAIRequestResult,
  toAnthropicMessage,
  toOpenAIRequest,
} from "@ai-router/providers";
import { parseJsonObject, readBody } from "../http/read-body.js";
import { validateBody } from "../http/validation.js";
import { checkCapabilities, messagesNeeds } from "./capabilities.js";
import { type ChatExchange, type LocalExchange, resolveModel, serveChat } from "./chat-core.js";
import type { RequestContext } from "./context.js";
import { anthropicStreamError, sendAnthropicError } from "./messages-errors.js";
import { MessagesRequest } from "./messages-schema.js";

/**
 * POST /v1/messages (Anthropic's Messages API). An Anthropic target gets the client's body as is
 * (cache_control, thinking blocks and beta features kept); any other target gets it translated to
 * OpenAI's format and its answer translated back, JSON and event stream alike.
 */
export async function handleMessages(ctx: RequestContext): Promise<void> {
  const raw = await readBody(ctx.req, ctx.table.settings.maxBodyBytes);
  const json = parseJsonObject(raw);
  const body = validateBody(MessagesRequest, json) as unknown as AnthropicRequest;
  const model = resolveModel(ctx, body.model, "chat");
  checkCapabilities(model, messagesNeeds(json));
  const stream = body.stream === true;
  let translated: ToOpenAIRequestResult | undefined;

  await serveChat(ctx, {
    endpoint: "messages",
    modelName: body.model,
    model,
    stream,
    promptTokens: raw.length >> 2,
    maxTokens: body.max_tokens,
    exchange(t, target): ChatExchange {
      const adapter = t.live.adapter;
      const native = adapter.messages;
      if (native) {
        return {
          dropped: [],
          request: native.build(json, target),
          parse: native.parseResponse,
          createStream: native.createStream,
          parseError: adapter.parseError,
        };
      }
      translated ??= toOpenAIRequest(body);
      const req = forProvider(translated.req, t.live.config.type);
      if (adapter.local)
        return {
          dropped: translated.dropped,
          local: localExchange(adapter, req, target, body.model),
          ...viaOpenAI(adapter, target, body.model, true),
        };
      const built = adapter.buildChatRequest(req, target, { stream, clientWantsUsage: false });
      return {
        dropped: [...translated.dropped, ...built.dropped],
        request: built.request,
        ...viaOpenAI(adapter, target, body.model, built.stripUsage),
      };
    },
    sendError: sendAnthropicError,
    streamError: anthropicStreamError,
  });
}

/** OpenAI's own API takes `max_completion_tokens` (reasoning models refuse `max_tokens`). */
function forProvider(req: ChatCompletionRequest, type: string): ChatCompletionRequest {
  if (type !== "openai" || req.max_tokens == null) return req;
  const { max_tokens, ...rest } = req;
  return Object.assign(rest, { max_completion_tokens: max_tokens });
}

/** Parsing and streaming for a target that answers in OpenAI's format, translated to Anthropic's. */
function viaOpenAI(adapter: ProviderAdapter, target: TargetContext, model: string, stripUsage: boolean) {
  return {
    parse(bytes: Buffer) {
      const p = adapter.parseChatResponse(bytes, target);
      const completion = JSON.parse(p.body.toString()) as Record<string, unknown>;
      return { body: JSON.stringify(toAnthropicMessage(completion)), usage: p.usage };
    },
    createStream: (): ChatStreamTranslator =>
      new OpenAIToAnthropicStream(adapter.createChatStream(target, { stripUsage, requestedModel: model }), model),
    parseError: adapter.parseError,
  };
}

/** An in-process target (mock): its OpenAI answer, translated. */
function localExchange(adapter: ProviderAdapter, req: ChatCompletionRequest, target: TargetContext, model: string): LocalExchange {
  const local = adapter.local as NonNullable<ProviderAdapter["local"]>;
  return {
    json() {
      const out = local.complete(req, target);
      return { body: JSON.stringify(toAnthropicMessage(JSON.parse(out.body) as Record<string, unknown>)), usage: out.usage };
    },
    stream() {
      const answer = local.stream(req, target, true);
      async function* events() {
        const tr = new OpenAIToAnthropicStream(new OpenAIStreamTranslator(false), model);
        for await (const ev of answer.events) {
          const out = tr.push(Buffer.from(ev));
          if (out) yield out;
        }
        const rest = tr.end();
        if (rest) yield rest;
      }
      return { events: events(), usage: answer.usage };
    },
  };
}
