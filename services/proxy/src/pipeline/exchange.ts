import type { ServerResponse } from "node:http";
import type { RouterError } from "@ai-router/errors";
import type { ChatStreamTranslator, ParsedResponse, TargetContext, UpstreamError, UpstreamRequest } from "@ai-router/providers";
import type { PricedUnits } from "../limits/reserve.js";
import type { Cacheable } from "../response-cache/cache-step.js";
import type { LiveModel, LiveTarget } from "../routing/runtime-table.js";

/**
 * How one request is carried to one target and back, in the client's format. Built per attempt, so a
 * failover to a target of another provider type gets its own translation.
 */
export type Exchange =
  /** This target cannot serve the endpoint (e.g. embeddings on Anthropic): the next candidate is tried. */
  | { kind: "unsupported"; what: string }
  /** Answered by the router itself for this target (e.g. an estimated token count), JSON only. */
  | { kind: "answer"; body: string; warnings: string[] }
  | UpstreamExchange;

export interface UpstreamExchange {
  kind: "upstream";
  /** Request fields the target cannot carry (`x-router-warnings`, or a 400 for a strict model). */
  dropped: readonly string[];
  request: UpstreamRequest;
  /** Upstream 2xx body -> client bytes and usage; a throw means the body was unreadable (retried). */
  parse(bytes: Buffer): ParsedResponse;
  /** Upstream event stream -> client event stream (streaming requests only). */
  createStream?(): ChatStreamTranslator;
  /**
   * The same stream in two parts, for a model with `stream_continuation`: the target's translator (the
   * internal form, OpenAI chunks) and the client's encoder around it. Absent: a native pass-through.
   */
  createInner?(): ChatStreamTranslator;
  encode?(inner: ChatStreamTranslator): ChatStreamTranslator;
  parseError(status: number, body: Buffer): UpstreamError;
}

type ErrorSender = (res: ServerResponse, err: RouterError, headers: Record<string, string>) => void;

/** One routed request as the attempt pipeline runs it, whatever its endpoint and format. */
export interface PipelineRequest {
  /** Endpoint name in usage records (`chat.completions`, `messages`, `responses`, `embeddings`...). */
  endpoint: string;
  modelName: string;
  model: LiveModel;
  stream: boolean;
  /**
   * The answer is relayed as the upstream's bytes under its own content type (speech audio, transcripts):
   * the exchange's `createStream` passes them through whatever `stream` says.
   */
  binary?: boolean;
  /** Hints for the balancer. */
  promptTokens: number;
  /**
   * A better prompt estimate than `promptTokens` (which is the body's size), computed only when an
   * answer's usage must be estimated (the upstream reported none).
   */
  estimatePromptTokens?(): number;
  maxTokens: number | undefined;
  /** The conversation's hash when the model keeps conversations on one target and key (session affinity). */
  affinity?: number | undefined;
  /** What the model's response cache keys the request by; absent: never cached (nor looked up). */
  cacheable?: Cacheable | undefined;
  /** Priced units besides tokens it may consume (an image request's `n` images): reserved from a key's budget. */
  units?: PricedUnits;
  /** Builds the exchange for one attempt at one target. */
  exchange(t: LiveTarget, target: TargetContext): Exchange;
  /** Answers an error before any byte was sent, in the client's error envelope. */
  sendError: ErrorSender;
  /** The bytes that report an error once a stream has started. */
  streamError(err: RouterError): string;
  /**
   * The answer is served: called with the client bytes of a JSON answer just before they are sent (so
   * what it keeps is visible by the time the client has the answer), or with undefined after a stream
   * ended. The Responses API stores the response here.
   */
  onServed?(t: LiveTarget, body: string | Buffer | undefined): void | Promise<void>;
  /**
   * The request to a target that continues a broken stream: the client's request in the internal form
   * with `text` (what the client already has) as an assistant prefill in the target's own form. Its
   * `createInner` is the target's translator. Undefined: the target cannot continue (no prefill).
   */
  continuation?(t: LiveTarget, target: TargetContext, text: string): ContinuationExchange | undefined;
}

export interface ContinuationExchange extends UpstreamExchange {
  createInner(): ChatStreamTranslator;
  /** Whitespace the prefill could not carry (Anthropic's): not repeated when the continuation starts with it. */
  trimmed: string;
}
