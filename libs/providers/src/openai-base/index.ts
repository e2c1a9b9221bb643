import type { ChatCompletionRequest, OpenAIUsage, ProviderType } from "@ai-router/contracts";
import type {
  BuiltRequest,
  ChatBuildOptions,
  MultipartEndpoint,
  NativeEndpoint,
  PassthroughEndpoint,
  ProviderAdapter,
  StreamingPassthroughEndpoint,
  TargetContext,
  UpstreamRequest,
} from "../adapter.js";
import type { NativeFormat, ProviderDescriptor, ProviderEndpoint } from "../descriptor.js";
import type { PrefillForm } from "../prefill.js";
import { bearerAuth, postJson } from "./api.js";
import { buildOpenAIChatRequest, injectsStreamUsage, parseOpenAIChatResponse, upstreamChatBody } from "./chat.js";
import { parseOpenAIError } from "./errors.js";
import { imageUsage, multipartEndpoint } from "./images.js";
import { openAICompletions, openAIJson, openAISpeech, openAITranscription } from "./more-endpoints.js";
import { OpenAIStreamTranslator } from "./stream.js";
import { extractUsage } from "./usage.js";

export { bearerAuth, openAIHeaders, postJson } from "./api.js";
export { buildOpenAIChatRequest, parseOpenAIChatResponse } from "./chat.js";
export { parseOpenAIError, toUpstreamError } from "./errors.js";
export { imageUsage, multipartEndpoint, toUpstreamForm } from "./images.js";
export {
  BinaryPassthrough,
  OpenAIEventPassthrough,
  openAICompletions,
  openAIJson,
  openAISpeech,
  openAITranscription,
  speechUsage,
  transcriptionUsage,
  upstreamJson,
} from "./more-endpoints.js";
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
  /** The model list probed by the health worker, under the base path; `/models` by default; null: never probed; a function: by base path. */
  probePath?: string | null | ((basePath: string) => string | undefined);
  /** false: never send `stream_options` (providers that refuse it and report usage on their own). */
  streamOptions?: false;
  /** Authentication other than a Bearer key (e.g. an `api-key` header). */
  authHeaders?: ProviderDescriptor["authHeaders"];
  /** Front-door formats the provider serves natively (OpenAI itself: `responses`). */
  native?: Partial<Record<NativeFormat, NativeEndpoint>>;
  /**
   * The provider's quirks on a chat request: changes `body` (a shallow copy of the client's request,
   * target defaults merged; replace nested values, never mutate them) and returns the fields it had to
   * drop or change, reported in `x-router-warnings`.
   */
  adjustChat?: (body: Record<string, unknown>, ctx: { stream: boolean; target: TargetContext }) => string[];
  /** How the provider continues an assistant prefill (DeepSeek, Mistral: `prefix`); absent: it cannot. */
  prefill?: PrefillForm;
  /** Rewrites every request before it goes (paths, auth headers: Azure's deployments and `api-key`). */
  finish?: (req: UpstreamRequest, target: TargetContext) => UpstreamRequest;
  /** The router endpoints it serves, when not all of OpenAI's (OPENAI_ENDPOINTS). */
  endpoints?: readonly ProviderEndpoint[];
  /** Rerank in the provider's format (rerank/): declared with `rerank` in `endpoints`. */
  rerank?: PassthroughEndpoint;
  /** Its own legacy completions / FIM endpoint (Mistral's `/fim/completions`). */
  completions?: StreamingPassthroughEndpoint;
}

/** Every OpenAI-style provider serves OpenAI's endpoints (the upstream answers what it supports). */
export const OPENAI_ENDPOINTS: readonly ProviderEndpoint[] = [
  "chat",
  "embeddings",
  "images.generations",
  "images.edits",
  "images.variations",
  "completions",
  "moderations",
  "audio.speech",
  "audio.transcriptions",
  "audio.translations",
];

/** The descriptor of an OpenAI-style provider. */
export function openAIDescriptor(o: OpenAIBaseOptions): ProviderDescriptor {
  const given = o.probePath;
  const probe = typeof given === "function" ? given : () => (given === null ? undefined : (given ?? "/models"));
  return {
    type: o.type,
    ...(o.defaultBaseUrl ? { defaultBaseUrl: o.defaultBaseUrl } : {}),
    keyRequired: o.keyRequired,
    probePath: probe,
    authHeaders: o.authHeaders ?? bearerAuth,
    nativeFormats: Object.keys(o.native ?? {}) as NativeFormat[],
    endpoints: o.endpoints ?? OPENAI_ENDPOINTS,
    ...(o.prefill ? { prefill: o.prefill } : {}),
  };
}

/**
 * The adapter every OpenAI-compatible upstream shares: a preset (DeepSeek, Qwen, Ollama...) is this
 * call with its type, default base URL and key rule, in a folder of its own.
 */
export function createOpenAIBaseAdapter(o: OpenAIBaseOptions): ProviderAdapter {
  const { adjustChat, finish } = o;
  const noStreamOptions = o.streamOptions === false;
  const done = finish ?? ((r: UpstreamRequest) => r);
  const chat = (req: ChatCompletionRequest, target: TargetContext, opts: ChatBuildOptions): BuiltRequest => {
    if (!adjustChat) return buildOpenAIChatRequest(req, target, opts, opts.rawBody);
    // A preset's quirks: the body is copied once, adjusted, and sent (never the client's bytes as they are).
    const body: Record<string, unknown> = Object.assign({}, target.params, req);
    const dropped = adjustChat(body, { stream: opts.stream, target });
    const injectUsage = !noStreamOptions && injectsStreamUsage(target, opts);
    const request = postJson("/chat/completions", upstreamChatBody(body, target, injectUsage), target, opts.stream);
    // Without stream_options the provider still reports usage (on its last chunk): hide it unless asked.
    const stripUsage = noStreamOptions ? opts.stream && !opts.clientWantsUsage : injectUsage;
    return { request, dropped, stripUsage };
  };
  const declared = o.endpoints ?? OPENAI_ENDPOINTS;
  const has = (e: ProviderEndpoint) => declared.includes(e);
  const embeddings = passthrough("/embeddings");
  const images = passthrough("/images/generations", imageUsage);
  const finished = (e: PassthroughEndpoint): PassthroughEndpoint =>
    finish ? { build: (b, t) => done(e.build(b, t), t), parse: e.parse } : e;
  const finishStreaming = (e: StreamingPassthroughEndpoint): StreamingPassthroughEndpoint =>
    finish ? { build: (b, t) => done(e.build(b, t), t), parse: e.parse, createStream: e.createStream } : e;
  const finishedForm = (e: MultipartEndpoint): MultipartEndpoint => {
    if (!finish) return e;
    const streamed = e.buildStreamed;
    return streamed
      ? { build: (p, t) => done(e.build(p, t), t), buildStreamed: (f, file, t) => done(streamed(f, file, t), t), usage: e.usage }
      : { build: (p, t) => done(e.build(p, t), t), usage: e.usage };
  };
  return {
    type: o.type,
    descriptor: openAIDescriptor(o),
    buildChatRequest: finish
      ? (req, target, opts) => {
          const built = chat(req, target, opts);
          return Object.assign(built, { request: done(built.request, target) });
        }
      : chat,
    parseChatResponse: (body) => parseOpenAIChatResponse(body),
    createChatStream: (_target, opts) => new OpenAIStreamTranslator(opts.stripUsage),
    parseError: parseOpenAIError,
    // Only the endpoints its descriptor declares (a rerank-only provider has no image endpoints).
    ...(has("embeddings") ? { embeddings: finished(embeddings) } : {}),
    ...(has("images.generations") ? { imageGenerations: finished(images) } : {}),
    ...(has("images.edits") ? { imageEdits: finishedForm(multipartEndpoint("/images/edits")) } : {}),
    ...(has("images.variations") ? { imageVariations: finishedForm(multipartEndpoint("/images/variations")) } : {}),
    ...(has("completions") ? { completions: finishStreaming(o.completions ?? openAICompletions()) } : {}),
    ...(has("moderations") ? { moderations: finished(openAIJson("/moderations")) } : {}),
    ...(has("audio.speech") ? { speech: finished(openAISpeech()) } : {}),
    ...(has("audio.transcriptions") ? { transcriptions: finishedForm(openAITranscription("/audio/transcriptions")) } : {}),
    ...(has("audio.translations") ? { translations: finishedForm(openAITranscription("/audio/translations")) } : {}),
    ...(o.rerank && has("rerank") ? { rerank: finished(o.rerank) } : {}),
    ...(o.native ? { native: o.native } : {}),
  };
}
