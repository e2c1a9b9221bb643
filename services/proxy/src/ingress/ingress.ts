import type { ServerResponse } from "node:http";
import type { ChatCompletionRequest } from "@ai-router/contracts";
import type { RouterError } from "@ai-router/errors";
import { type ChatStreamTranslator, type NativeFormat, type ProviderAdapter, type TargetContext, withPrefill } from "@ai-router/providers";
import { conversationHash } from "../affinity/conversation-key.js";
import type { RequestContext } from "../handlers/context.js";
import { chatNeeds, checkCapabilities, messagesNeeds } from "../handlers/model-api/capabilities.js";
import type { ContinuationExchange, Exchange, UpstreamExchange } from "../pipeline/exchange.js";
import { resolveModel, servePipeline } from "../pipeline/serve.js";
import { promptTokensOf } from "../pipeline/usage-estimate.js";
import type { LiveTarget } from "../routing/runtime-table.js";

/** A front-door request in the internal form (OpenAI chat), ready for any adapter. */
export interface ChatForm {
  req: ChatCompletionRequest;
  /** Client fields the internal form cannot carry (`x-router-warnings`, or a 400 for a strict model). */
  dropped: readonly string[];
  /** The client asked for usage in the stream (OpenAI chat's `stream_options.include_usage`). */
  clientWantsUsage: boolean;
  /** The client's bytes, when `req` is exactly what the client sent (OpenAI chat): forwarded untouched. */
  rawBody?: Buffer;
}

/** One parsed front-door request and how it converts, bound to that request (its ids, its state). */
export interface IngressCall {
  /** The model the client named. */
  model: string;
  stream: boolean;
  /** Hint for the balancer. */
  maxTokens: number | undefined;
  /** The client's JSON body, sent (model rewritten) to a target that serves this format natively. */
  json: Record<string, unknown>;
  /** The request in the internal form, for a target of type `providerType` (called at most once per type). */
  toChat(providerType: string): ChatForm;
  /** The internal answer (an OpenAI `chat.completion` body) -> the client's body. Absent: as it is. */
  fromChat?(completion: string | Buffer, providerType: string): string;
  /** Wraps the internal stream (OpenAI chunks) into the client's event stream. Absent: as it is. */
  encodeStream?(inner: ChatStreamTranslator, providerType: string): ChatStreamTranslator;
  /** Reports an error after the stream started, when it depends on the stream's state (Responses' sequence numbers). */
  streamError?(err: RouterError): string;
  /** The body a native target gets (default: `json`); e.g. the Responses API expands stored history. */
  nativeBody?(): Record<string, unknown>;
  /** Observes a native target's stream (e.g. to keep the final response). Absent: passed as it is. */
  wrapNativeStream?(inner: ChatStreamTranslator): ChatStreamTranslator;
  /** The answer went out: JSON bytes, or undefined for a stream (whose encoder saw everything). */
  onServed?(t: LiveTarget, body: string | Buffer | undefined, native: boolean): void | Promise<void>;
}

/**
 * A front-door format (OpenAI chat, Anthropic messages, OpenAI responses, Gemini generateContent):
 * how its requests are read and validated, converted to and from the internal form, streamed and
 * failed, and which providers serve it natively. One generic handler ({@link ingressHandler}) serves
 * every ingress through the one attempt pipeline.
 */
export interface Ingress {
  /** The format's name in usage records (`openai-chat`, `anthropic-messages`, `openai-responses`, `gemini`). */
  readonly name: string;
  /** Endpoint name in usage records (`chat.completions`, `messages`, `responses`...). */
  endpoint(call: IngressCall): string;
  /** Providers whose adapter has this native endpoint get the client's body as it is. */
  readonly native?: NativeFormat;
  /** Reads and validates the request (throws a client-safe RouterError); `rest` is the route's path rest. */
  parse(raw: Buffer, ctx: RequestContext, rest: string): IngressCall | Promise<IngressCall>;
  /** Answers an error before any byte was sent, in the format's error envelope. */
  sendError(res: ServerResponse, err: RouterError, headers: Record<string, string>): void;
  /** The bytes that report an error once a stream has started. */
  streamError(err: RouterError): string;
}

/** The generic handler: one endpoint for any ingress (its body read `raw` by the router). */
export function ingressHandler(ingress: Ingress): (ctx: RequestContext, rest: string) => Promise<void> {
  return (ctx, rest) => {
    const raw = ctx.body;
    let parsed: IngressCall | Promise<IngressCall>;
    try {
      // Most formats parse synchronously: no await (and microtask) for them.
      parsed = ingress.parse(raw, ctx, rest);
    } catch (err) {
      // Rejected as bad input: the usage record still names the model when the body has one.
      ctx.record.noteModelOfRaw(raw);
      return Promise.reject(err);
    }
    if (parsed instanceof Promise) {
      return parsed.then(
        (call) => serveIngressCall(ctx, ingress, call, raw.length >> 2, raw),
        (err) => {
          ctx.record.noteModelOfRaw(raw);
          throw err;
        },
      );
    }
    try {
      return serveIngressCall(ctx, ingress, parsed, raw.length >> 2, raw);
    } catch (err) {
      return Promise.reject(err);
    }
  };
}

/**
 * Routes one parsed ingress call: native pass-through where the target speaks the format, else
 * translation. Not async (one promise and microtask fewer a request): a bad model or capability throws
 * synchronously, which the awaiting handler turns into its rejection all the same.
 */
export function serveIngressCall(
  ctx: RequestContext,
  ingress: Ingress,
  call: IngressCall,
  promptTokens: number,
  raw?: Buffer,
): Promise<void> {
  const model = resolveModel(ctx, call.model);
  const stream = call.stream;
  // A stream that may be continued on another target goes through the internal form on every target,
  // so the continuation can be spliced into it (docs/stream-continuation.md).
  const hubOnly = stream && model.config.streamContinuation === true;
  const forms = new Map<string, ChatForm>();
  const chatForm = (type: string): ChatForm => {
    let f = forms.get(type);
    if (!f) {
      f = call.toChat(type);
      forms.set(type, f);
    }
    return f;
  };
  // A model that declares capabilities gets only requests it can serve (400 before any upstream call).
  // Anthropic requests are read as they came, so the error names the client's own field.
  if (model.config.capabilities !== undefined) {
    const needs =
      ingress.name === "anthropic-messages"
        ? messagesNeeds(call.json)
        : chatNeeds(chatForm((model.targets[0] as LiveTarget).live.config.type).req);
    checkCapabilities(model, needs);
  }
  return servePipeline(ctx, {
    endpoint: ingress.endpoint(call),
    modelName: call.model,
    model,
    stream,
    promptTokens,
    estimatePromptTokens: raw ? () => promptTokensOf(raw) : undefined,
    maxTokens: call.maxTokens,
    affinity:
      model.affinity === "off" ? undefined : conversationHash(ingress.name, call.json, ctx.req.headers, model.affinity, promptTokens),
    cacheable: model.cache === undefined ? undefined : { format: ingress.name, body: call.json },
    exchange: (t, target) => exchangeFor(t.live.adapter, target, hubOnly ? undefined : ingress.native, call, chatForm, stream, hubOnly),
    continuation: hubOnly ? (t, target, text) => continuationFor(t.live.adapter, target, call, chatForm, text) : undefined,
    sendError: ingress.sendError,
    streamError: call.streamError ? (err) => call.streamError!(err) : ingress.streamError,
    onServed: call.onServed
      ? (t, body) =>
          call.onServed?.(t, body, !hubOnly && ingress.native !== undefined && t.live.adapter.native?.[ingress.native] !== undefined)
      : undefined,
  });
}

function exchangeFor(
  adapter: ProviderAdapter,
  target: TargetContext,
  nativeFormat: NativeFormat | undefined,
  call: IngressCall,
  chatForm: (type: string) => ChatForm,
  stream: boolean,
  /** The stream may be continued: its translator and the client's encoder apart, for the splice. */
  spliced: boolean,
): Exchange {
  const native = nativeFormat ? adapter.native?.[nativeFormat] : undefined;
  if (native) {
    return {
      kind: "upstream",
      dropped: [],
      request: native.build(call.nativeBody ? call.nativeBody() : call.json, target, { stream }),
      parse: native.parseResponse,
      createStream: call.wrapNativeStream ? () => call.wrapNativeStream!(native.createStream()) : native.createStream,
      parseError: adapter.parseError,
    };
  }
  const form = chatForm(adapter.type);
  const built = adapter.buildChatRequest(form.req, target, { stream, clientWantsUsage: form.clientWantsUsage, rawBody: form.rawBody });
  const fromChat = call.fromChat;
  const encode = call.encodeStream;
  const ex: UpstreamExchange = {
    kind: "upstream",
    dropped: form.dropped.length === 0 ? built.dropped : form.dropped.concat(built.dropped),
    request: built.request,
    parse: fromChat
      ? (bytes) => {
          const p = adapter.parseChatResponse(bytes, target);
          return { body: fromChat(p.body, adapter.type), usage: p.usage };
        }
      : (bytes) => adapter.parseChatResponse(bytes, target),
    createStream: () => {
      const inner = adapter.createChatStream(target, { stripUsage: built.stripUsage, requestedModel: call.model });
      return encode ? encode(inner, adapter.type) : inner;
    },
    parseError: adapter.parseError,
  };
  if (spliced) {
    ex.createInner = () => adapter.createChatStream(target, { stripUsage: built.stripUsage, requestedModel: call.model });
    ex.encode = encode ? (inner) => encode(inner, adapter.type) : (inner) => inner;
  }
  return ex;
}

/** A continuation: the client's request in the internal form, prefilled with what the client already has. */
function continuationFor(
  adapter: ProviderAdapter,
  target: TargetContext,
  call: IngressCall,
  chatForm: (type: string) => ChatForm,
  text: string,
): ContinuationExchange | undefined {
  const form = adapter.descriptor.prefill;
  const chat = chatForm(adapter.type);
  // Nothing but the role went out yet: the request as it came, on any target.
  if (form === undefined && text !== "") return undefined;
  const { req, trimmed } = form === undefined ? { req: chat.req, trimmed: "" } : withPrefill(chat.req, text, form);
  const built = adapter.buildChatRequest(req, target, { stream: true, clientWantsUsage: chat.clientWantsUsage });
  return {
    kind: "upstream",
    dropped: chat.dropped.length === 0 ? built.dropped : chat.dropped.concat(built.dropped),
    request: built.request,
    parse: (bytes) => adapter.parseChatResponse(bytes, target),
    createInner: () => adapter.createChatStream(target, { stripUsage: built.stripUsage, requestedModel: call.model }),
    parseError: adapter.parseError,
    trimmed,
  };
}
