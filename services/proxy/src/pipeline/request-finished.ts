import type { OpenAIUsage, Price } from "@ai-router/contracts";

/** One attempt at one target, as the request's attempt chain records it. */
export interface AttemptRecord {
  provider: string;
  upstreamModel: string;
  /** `served`, `retry` (failed over), `final` (a client-visible error), `broken` (failed mid-stream). */
  outcome: "served" | "retry" | "final" | "broken";
  /** The upstream's HTTP status, or the router's for transport errors; null when served. */
  status: number | null;
  /** Error message (client-safe); null when served. */
  error: string | null;
  /** Stable error code (`upstream_timeout`, the provider's code...); null when served. */
  errorCode: string | null;
  /** Time spent on this attempt, ms. */
  durationMs: number;
}

/**
 * Everything known about a request when it ends, built at exactly one point (the attempt pipeline's
 * end, or a refusal before routing): what a usage ledger, an access log or a billing sink needs.
 */
export interface RequestFinished {
  requestId: string;
  /** Endpoint name (`chat.completions`, `messages`, `responses`, `gemini.generateContent`...). */
  endpoint: string;
  /** The format the client spoke (`openai-chat`, `anthropic-messages`, `openai-responses`, `gemini`, `openai`). */
  ingress: string;
  /** The model the client asked for. */
  model: string;
  /** Client key name (null without client auth). */
  key: string | null;
  stream: boolean;
  /** HTTP status the client got (200 once an answer started, 499 when the client left). */
  status: number;
  outcome: "served" | "failed" | "broken" | "refused" | "cancelled";
  /** The target that served (or failed last). */
  provider: string | null;
  upstreamModel: string | null;
  price: Price | undefined;
  attempts: readonly AttemptRecord[];
  usage: OpenAIUsage | undefined;
  /** True when `usage` is the router's estimate: the upstream reported none (or the client left before it did). */
  usageEstimated?: boolean;
  /** Wall time since the request arrived, ms. */
  latencyMs: number;
  /** Time to the first byte of the answer, ms since arrival (undefined when nothing was sent). */
  ttfbMs: number | undefined;
  /** Time spent waiting for a free upstream pool connection, ms, all attempts (0: none). */
  queuedMs?: number;
  error: string | undefined;
}

export type RequestFinishedListener = (rec: RequestFinished) => void;
