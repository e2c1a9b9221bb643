import { CompletionRequest, ModerationRequest, RerankRequest, SpeechRequest } from "@ai-router/contracts";
import type { RouterError } from "@ai-router/errors";
import {
  BinaryPassthrough,
  type JsonEndpointName,
  passthroughEndpoint,
  type StreamingPassthroughEndpoint,
  speechUsage,
} from "@ai-router/providers";
import type { Endpoint } from "../../endpoints/endpoint.js";
import { sendError } from "../../http/respond.js";
import type { PricedUnits } from "../../limits/reserve.js";
import type { Exchange } from "../../pipeline/exchange.js";
import { resolveModel, servePipeline } from "../../pipeline/serve.js";
import type { RequestContext } from "../context.js";

type Body = Record<string, unknown>;

const sseError = (err: RouterError): string => `data: ${JSON.stringify(err.toBody())}\n\n`;

/** A JSON endpoint routed to the providers that declare it, in the client's format both ways. */
interface RoutedJsonSpec {
  path: string;
  serves: JsonEndpointName;
  llmType: NonNullable<Endpoint["llmType"]>;
  schema: NonNullable<Endpoint["schema"]>;
  usage: NonNullable<Endpoint["usage"]>;
  /** Model used when the request names none (moderations). */
  defaultModel?: string;
  /** The answer may be an event stream (`stream: true`). */
  streams?: boolean;
  /** The answer is relayed as the upstream's bytes (speech). */
  binary?: boolean;
  /** Output tokens the request may produce (its budget reservation); undefined: none. */
  maxTokens?: (body: Body) => number | undefined;
  /** Priced units besides tokens, reserved from the key's budget before sending. */
  units?: (body: Body) => PricedUnits;
}

function routedJson(spec: RoutedJsonSpec): Endpoint {
  const { serves, binary } = spec;
  const endpoint = spec.usage.endpoint;
  const handle = async (ctx: RequestContext): Promise<void> => {
    const json = ctx.json as Body;
    const name = ((ctx.valid as { model?: string }).model ?? spec.defaultModel) as string;
    const model = resolveModel(ctx, name);
    const stream = spec.streams === true && json.stream === true;
    await servePipeline(ctx, {
      endpoint,
      modelName: name,
      model,
      stream,
      binary,
      promptTokens: ctx.body.length >> 2,
      maxTokens: spec.maxTokens?.(json),
      units: spec.units?.(json),
      exchange: (t, target): Exchange => {
        const adapter = t.live.adapter;
        const ep = passthroughEndpoint(adapter, serves);
        if (!ep) return { kind: "unsupported", what: endpoint };
        const createStream = binary
          ? () => new BinaryPassthrough(speechUsage(json))
          : stream
            ? () => (ep as StreamingPassthroughEndpoint).createStream(json)
            : undefined;
        return {
          kind: "upstream",
          dropped: [],
          request: ep.build(json, target),
          parse: (bytes) => ep.parse(bytes, json, target),
          ...(createStream ? { createStream } : {}),
          parseError: adapter.parseError,
        };
      },
      sendError,
      // Audio cut mid-way just ends; an event stream reports the error in-band, as chat does.
      streamError: binary ? () => "" : sseError,
    });
  };
  return {
    method: "POST",
    path: spec.path,
    auth: true,
    body: "json",
    schema: spec.schema,
    llmType: spec.llmType,
    serves,
    answers: binary ? ["binary"] : spec.streams ? ["json", "sse"] : ["json"],
    usage: spec.usage,
    handle,
  };
}

/** Legacy completions produce 16 tokens unless `max_tokens` says otherwise (OpenAI's default). */
const completionTokens = (b: Body): number => (typeof b.max_tokens === "number" ? b.max_tokens : 16) * (typeof b.n === "number" ? b.n : 1);

const rerank = (path: string): Endpoint =>
  routedJson({
    path,
    serves: "rerank",
    llmType: "rerank",
    schema: RerankRequest,
    usage: { ingress: "rerank", endpoint: "rerank", estimate: "prompt" },
    units: () => ({ searches: 1 }),
  });

/** `POST /v1/completions` (FIM with `suffix`), `/v1/moderations`, `/v1/rerank`, `/v2/rerank`, `/v1/audio/speech`. */
export function routedJsonEndpoints(): Endpoint[] {
  return [
    routedJson({
      path: "/v1/completions",
      serves: "completions",
      llmType: "completion",
      schema: CompletionRequest,
      usage: { ingress: "openai-completions", endpoint: "completions", estimate: "chat" },
      streams: true,
      maxTokens: completionTokens,
    }),
    routedJson({
      path: "/v1/moderations",
      serves: "moderations",
      llmType: "moderation",
      schema: ModerationRequest,
      usage: { ingress: "openai-moderations", endpoint: "moderations", estimate: "prompt" },
      defaultModel: "omni-moderation-latest",
      maxTokens: () => 0,
    }),
    rerank("/v1/rerank"),
    rerank("/v2/rerank"),
    routedJson({
      path: "/v1/audio/speech",
      serves: "audio.speech",
      llmType: "speech",
      schema: SpeechRequest,
      usage: { ingress: "openai-audio", endpoint: "audio.speech", estimate: "none" },
      binary: true,
      maxTokens: () => 0,
      units: (b) => ({ characters: typeof b.input === "string" ? b.input.length : 0 }),
    }),
  ];
}
