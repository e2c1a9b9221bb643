import type { Readable } from "node:stream";
import type { ChatCompletionRequest, OpenAIUsage, ProviderType, TableProvider } from "@ai-router/contracts";
import type { NativeFormat, ProviderDescriptor } from "./descriptor.js";
import type { FormPart, StreamedFile } from "./multipart.js";

/** A provider as the proxy holds it at run time: the table row with keys decrypted. */
export interface RuntimeProvider extends TableProvider {
  /** Origin (`https://host:port`) and path prefix split from baseUrl, for the connection pool. */
  origin: string;
  basePath: string;
}

/** What one attempt at one target needs to build its upstream request. */
export interface TargetContext {
  provider: RuntimeProvider;
  /** The key chosen for this attempt (rotated), if the provider has any. */
  apiKey: string | undefined;
  upstreamModel: string;
  /** Defaults merged under the client's fields. */
  params: Record<string, unknown>;
  /** Headers from the client that a provider may pass through (e.g. `anthropic-beta`). */
  clientHeaders: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * Anthropic targets: add prompt-cache breakpoints to translated requests. The proxy sets it for a
   * model with `cache_breakpoints` on (the default) and a prompt long enough to be cached.
   */
  cacheBreakpoints?: boolean;
}

/** An HTTP request to send upstream; `path` is appended to the provider's base path. */
export interface UpstreamRequest {
  method: "POST" | "GET";
  path: string;
  headers: Record<string, string>;
  /** A stream only for a spooled upload (audio), built anew for each attempt. */
  body: string | Buffer | Readable | undefined;
  /**
   * `path` is from the provider's origin, not under its base path: an endpoint beside the
   * OpenAI-compatible one (DeepSeek's `/beta/completions`, DashScope's `/api/v1/services/...`).
   */
  rootPath?: boolean;
}

export interface ChatBuildOptions {
  stream: boolean;
  /** The client asked for usage in the stream (`stream_options.include_usage`). */
  clientWantsUsage: boolean;
  /** The client's request bytes, forwarded untouched when nothing needs changing. */
  rawBody?: Buffer;
}

export interface BuiltRequest {
  request: UpstreamRequest;
  /** Request fields the target cannot carry (reported in `x-router-warnings`, or a 400 in strict mode). */
  dropped: string[];
  /** True when the stream translator must remove a usage chunk the client did not ask for. */
  stripUsage: boolean;
}

/** Result of translating a successful non-streaming upstream body. */
export interface ParsedResponse {
  /** Bytes to send to the client (OpenAI format). */
  body: string | Buffer;
  usage: OpenAIUsage | undefined;
}

/**
 * Turns upstream stream bytes into OpenAI SSE bytes as they arrive. Never buffers more than one
 * incomplete event.
 */
export interface ChatStreamTranslator {
  /** Feeds upstream bytes; returns what to write to the client now ('' for nothing). */
  push(chunk: Buffer): string | Buffer;
  /** The upstream ended cleanly; returns the final bytes (e.g. `data: [DONE]`). */
  end(): string;
  /** Usage seen in the stream, once known. */
  readonly usage: OpenAIUsage | undefined;
  /** An in-band error event from the upstream, if one arrived. */
  readonly error: UpstreamError | undefined;
  /**
   * True once the upstream's end-of-stream marker arrived as the last bytes so far (OpenAI's
   * `data: [DONE]`): nothing more will be produced, so the client's response may end right away
   * instead of waiting for the upstream body's own end. Optional; absent means "wait for the end".
   */
  readonly complete?: boolean;
  /**
   * Provider reasoning state seen in the stream that the provider needs back on the next turn
   * (Anthropic's thinking blocks with their signatures). Optional; read once the stream ended.
   */
  readonly reasoningBlocks?: readonly unknown[];
  /**
   * Notes for the client's `x-router-warnings` header, known once the first bytes are produced (e.g.
   * `estimated:input_tokens`). Optional; read when the response's headers go out.
   */
  readonly warnings?: readonly string[] | undefined;
}

/**
 * A translator wrapped around another (a tap, a splice): `push` and `end` are the wrapper's own, what the
 * stream reported (usage, error, completion, reasoning, warnings) is read from the one inside.
 */
export abstract class ForwardingTranslator implements ChatStreamTranslator {
  constructor(protected inner: ChatStreamTranslator) {}
  abstract push(chunk: Buffer): string | Buffer;
  abstract end(): string;
  get usage(): OpenAIUsage | undefined {
    return this.inner.usage;
  }
  get error(): UpstreamError | undefined {
    return this.inner.error;
  }
  get complete(): boolean | undefined {
    return this.inner.complete;
  }
  get reasoningBlocks(): readonly unknown[] | undefined {
    return this.inner.reasoningBlocks;
  }
  get warnings(): readonly string[] | undefined {
    return this.inner.warnings;
  }
}

/** An upstream's error, in OpenAI terms. `retryable` decides failover. */
export interface UpstreamError {
  status: number;
  message: string;
  type: string;
  code: string | null;
  param: string | null;
  retryable: boolean;
}

/** An upstream's answer as the attempt pipeline reads it (undici's, or an in-process transport's). */
export interface UpstreamResponse {
  statusCode: number;
  body: Readable;
  /** The upstream's headers as sent (name, value, name, value...), when a pool carried the request. */
  rawHeaders?: readonly (Buffer | string)[] | null;
  /** Headers of an in-process answer (the mock). */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Answers upstream requests in-process instead of over the network (the `mock` provider): the request
 * is built and the answer parsed exactly as for a remote provider, only the transport differs.
 */
export interface LocalTransport {
  send(req: UpstreamRequest): UpstreamResponse;
}

/**
 * A JSON endpoint relayed to the provider (embeddings, images). OpenAI-style providers send the same
 * body with the model rewritten and hand the upstream bytes back untouched; a provider with another
 * wire format (Gemini) translates the request in `build` and the answer in `parse`.
 */
export interface PassthroughEndpoint {
  /** The client's body (validated) -> upstream request. May throw a client-safe RouterError (400). */
  build(body: Record<string, unknown>, target: TargetContext): UpstreamRequest;
  /**
   * The upstream's 2xx body -> the client's (OpenAI) body and its usage. `request` is the client's body
   * as `build` received it. OpenAI-style providers return the same bytes (no copy).
   */
  parse(body: Buffer, request: Record<string, unknown>, target: TargetContext): ParsedResponse;
}

/**
 * A multipart/form-data endpoint (image edits and variations): the client's form goes upstream with
 * the `model` field set to the target's upstream id, re-encoded under a new boundary.
 */
export interface MultipartEndpoint {
  /** The client's parts, in order -> upstream request (multipart body, its Content-Type). */
  build(parts: readonly FormPart[], target: TargetContext): UpstreamRequest;
  /** The client's text fields and a spooled file -> upstream request streaming the file (audio uploads). */
  buildStreamed?(fields: readonly FormPart[], file: StreamedFile, target: TargetContext): UpstreamRequest;
  usage(body: Buffer): OpenAIUsage | undefined;
}

/**
 * A front-door format served natively by a provider that speaks it (Anthropic's `/v1/messages`, OpenAI's
 * `/v1/responses`, Gemini's `generateContent`): the client's body goes upstream with only the model
 * rewritten, and the answer comes back untouched (usage and in-band errors read on the way).
 */
export interface NativeEndpoint {
  /** The client's request (target defaults merged under it) -> upstream request. */
  build(body: Record<string, unknown>, target: TargetContext, opts: { stream: boolean }): UpstreamRequest;
  /** Token counting answered exactly by the upstream (Anthropic's `count_tokens`, Gemini's `countTokens`). */
  countTokens?(body: Record<string, unknown>, target: TargetContext): UpstreamRequest;
  /** The upstream's 2xx body, unchanged, and its usage in OpenAI terms (for accounting). */
  parseResponse(body: Buffer): ParsedResponse;
  /** Passes the upstream event stream through, reading usage and in-band errors on the way. */
  createStream(): ChatStreamTranslator;
}

/** One provider wire format. Stateless: all per-request state lives in what it returns. */
export interface ProviderAdapter {
  readonly type: ProviderType;
  /** Defaults, key rule, probe path, auth headers, native formats: the provider defined in one place. */
  readonly descriptor: ProviderDescriptor;
  /** OpenAI chat request -> upstream request. */
  buildChatRequest(req: ChatCompletionRequest, target: TargetContext, opts: ChatBuildOptions): BuiltRequest;
  /** Upstream 2xx JSON body -> OpenAI `chat.completion`. */
  parseChatResponse(body: Buffer, target: TargetContext): ParsedResponse;
  createChatStream(target: TargetContext, opts: { stripUsage: boolean; requestedModel: string }): ChatStreamTranslator;
  /** Upstream non-2xx -> error in OpenAI terms. */
  parseError(status: number, body: Buffer): UpstreamError;
  /** Present when the provider answers in-process (the mock); absent: a connection pool is used. */
  readonly transport?: LocalTransport;
  readonly embeddings?: PassthroughEndpoint;
  readonly imageGenerations?: PassthroughEndpoint;
  /** `POST /images/edits` (multipart). */
  readonly imageEdits?: MultipartEndpoint;
  /** `POST /images/variations` (multipart). */
  readonly imageVariations?: MultipartEndpoint;
  /** Legacy `POST /completions` (JSON or SSE; FIM `suffix` translated where the provider has its own endpoint). */
  readonly completions?: StreamingPassthroughEndpoint;
  readonly moderations?: PassthroughEndpoint;
  /** Rerank in the Jina/Cohere shape, translated to the provider's own (Cohere v2, Jina, Voyage). */
  readonly rerank?: PassthroughEndpoint;
  /** `POST /audio/speech`: JSON up, audio bytes back (relayed as they come; `parse` is not used). */
  readonly speech?: PassthroughEndpoint;
  readonly transcriptions?: MultipartEndpoint;
  readonly translations?: MultipartEndpoint;
  /** Front-door formats passed through natively, by format (the descriptor lists the same names). */
  readonly native?: Partial<Record<NativeFormat, NativeEndpoint>>;
}

/** Statuses that send a request to the next candidate. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** A JSON endpoint that may also answer with an event stream (`stream: true`). */
export interface StreamingPassthroughEndpoint extends PassthroughEndpoint {
  /** The upstream's event stream -> the client's (same format), usage and in-band errors read on the way. */
  createStream(request: Record<string, unknown>): ChatStreamTranslator;
}

/** Router endpoints served by a JSON passthrough, and the adapter field that serves each. */
export type JsonEndpointName = "embeddings" | "images.generations" | "completions" | "moderations" | "rerank" | "audio.speech";
const JSON_ENDPOINT_FIELDS = {
  embeddings: "embeddings",
  "images.generations": "imageGenerations",
  completions: "completions",
  moderations: "moderations",
  rerank: "rerank",
  "audio.speech": "speech",
} as const satisfies Record<JsonEndpointName, keyof ProviderAdapter>;

/** The JSON endpoint a provider serves under a router endpoint's name; undefined when its descriptor lacks it. */
export function passthroughEndpoint(a: ProviderAdapter, e: JsonEndpointName): PassthroughEndpoint | undefined {
  if (!a.descriptor.endpoints.includes(e)) return undefined;
  return a[JSON_ENDPOINT_FIELDS[e]];
}

/** Router endpoints served by a multipart form, and the adapter field that serves each. */
export type FormEndpointName = "images.edits" | "images.variations" | "audio.transcriptions" | "audio.translations";
const FORM_ENDPOINT_FIELDS = {
  "images.edits": "imageEdits",
  "images.variations": "imageVariations",
  "audio.transcriptions": "transcriptions",
  "audio.translations": "translations",
} as const satisfies Record<FormEndpointName, keyof ProviderAdapter>;

/** The multipart endpoint a provider serves under a router endpoint's name; undefined when its descriptor lacks it. */
export function multipartEndpointOf(a: ProviderAdapter, e: FormEndpointName): MultipartEndpoint | undefined {
  if (!a.descriptor.endpoints.includes(e)) return undefined;
  return a[FORM_ENDPOINT_FIELDS[e]];
}
