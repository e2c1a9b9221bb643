import { type OpenAIUsage, type Price, recordText } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { UpstreamError } from "@ai-router/providers";
import { withinJsonDepth } from "../http/json-depth.js";

/** How the tokens of an answer without upstream usage are estimated. */
export type EstimateKind = "chat" | "prompt" | "none";

/** What a route's requests are recorded as: its ingress, endpoint and how tokens are estimated. */
export interface RecordRoute {
  /** openai-chat, anthropic-messages, ... */
  ingress: string;
  /** chat.completions, messages, ... */
  endpoint: string;
  estimate: EstimateKind;
}

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

/** An attempt's status in published records: 200 when it served. */
export const attemptStatus = (a: AttemptRecord): number | null => (a.outcome === "served" ? 200 : a.status);

export type RequestOutcome = "served" | "failed" | "broken" | "refused" | "cancelled";

const NO_ATTEMPTS: readonly AttemptRecord[] = [];

/**
 * The one record of a request: created when it arrives, filled in once along the way (the handler
 * names the model, the attempt pipeline what it served, the server the end), and read by every sink:
 * the stats, the access log, the request-finished listeners, the `usage_log` file, the ledger, the
 * metrics and the traces. Nothing is copied into another shape: the published usage record
 * (`@ai-router/contracts` `UsageRecord`) is this record written as JSON (record-json.ts).
 */
export class RequestRecord {
  /** The route's ingress. */
  ingress: string;
  /** The route's endpoint, or what the pipeline says (`gemini.streamGenerateContent`...). */
  endpoint: string;
  /** The model the client named; undefined until known (no usage record then, unless refused by a limit). */
  model: string | undefined = undefined;
  /** Client key id (its name when the table has no id) and name; null without client auth. */
  keyId: string | null = null;
  key: string | null = null;
  stream = false;
  /** Set by the attempt pipeline, or `refused` by a limit; undefined: rejected before routing (bad input). */
  outcome: RequestOutcome | undefined = undefined;
  /** The target that served (or failed last). */
  provider: string | null = null;
  upstreamModel: string | null = null;
  price: Price | undefined = undefined;
  attempts: readonly AttemptRecord[] = NO_ATTEMPTS;
  /** Usage as the upstream reported it, or as the pipeline estimated it from the text it relayed. */
  usage: OpenAIUsage | undefined = undefined;
  /** True when the tokens are the router's estimate (the upstream reported none, or the client left first). */
  usageEstimated: true | undefined = undefined;
  /** Time to the first byte of the answer, ms since arrival (undefined when nothing was sent). */
  ttfbMs: number | undefined = undefined;
  /** The error message (client-safe) of a request that was not served. */
  error: string | undefined = undefined;
  /** Stable code of the error the client saw; null when none. */
  errorCode: string | null = null;
  /** The answer reached the client (in full or in part): its tokens are charged, estimated if need be. */
  answered = false;
  /** The model's response cache: `hit` (answered from it, no provider called) or `miss`; undefined when the model has none. */
  cacheResult: "hit" | "miss" | undefined = undefined;
  /** A hit: USD the cached answer cost when it was made (null without a price). */
  hitSavedUsd: number | null = null;

  // The end (finish-record.ts), set once when the request is over.
  /** HTTP status the client got (200 once an answer started, 499 when the client left). */
  status = 0;
  /** Wall time since the request arrived, ms. */
  latencyMs = 0;
  /** Time spent waiting for a free upstream pool connection, ms, all attempts (0: none). */
  queuedMs = 0;
  requestBytes = 0;
  responseBytes = 0;
  replica = "";
  seq = 0;
  /**
   * The published record's id, the ledger's key: always the server's own (`requestId` unless that
   * came from the client's `x-request-id`, then a new one). Set when the record is written.
   */
  recordId = "";
  /** The `x-request-id` the client sent, cleaned (`cleanClientRequestId`); null when it sent none. */
  clientRequestId: string | null = null;
  /** The batch a request ran for (a line the router's batch runner sent); null for live traffic. */
  batchId: string | null = null;
  /** ISO time of arrival. */
  time = "";
  /** Tokens as charged: reported, or estimated (see `usageEstimated`). */
  promptTokens = 0;
  completionTokens = 0;
  cachedTokens = 0;
  /** Prompt tokens written to the provider's prompt cache (part of `promptTokens`). */
  cacheWriteTokens = 0;
  reasoningTokens = 0;
  /** USD the prompt cache saved (reads' discount minus writes' surcharge); null without a price. */
  cacheSavedUsd: number | null = null;
  /** USD at the serving target's price; null without a price (never 0 for "unknown"). */
  costUsd: number | null = null;
  tokensPerS: number | null = null;

  constructor(
    readonly requestId: string,
    readonly route: RecordRoute,
  ) {
    this.ingress = route.ingress;
    this.endpoint = route.endpoint;
  }

  /** The model named in a parsed body, noted before validation so a rejected request is still recorded. */
  noteModelOf(body: unknown): void {
    if (this.model !== undefined) return;
    const m = (body as { model?: unknown } | null)?.model;
    if (typeof m === "string" && m.length > 0) this.model = recordText(m);
  }

  /** The model named in a raw body that failed validation (the error path only: parses once more). */
  noteModelOfRaw(raw: Buffer): void {
    // A body refused for its depth is not parsed again (that is what its refusal spared).
    if (this.model !== undefined || !withinJsonDepth(raw)) return;
    try {
      this.noteModelOf(JSON.parse(raw.toString("utf8")));
    } catch {
      // not JSON: no model to name
    }
  }

  /** Refused by a client-key limit (before the body was read, or cluster-wide before any attempt): no model. */
  refuse(e: RouterError): void {
    this.outcome = "refused";
    this.model = undefined;
    this.error = e.message;
    this.errorCode = errorCodeOf(e);
  }
}

/**
 * Stable code of an error for records: the code the client saw, or the router's own. An upstream's
 * own code is its text: cleaned and bounded like a name.
 */
export function errorCodeOf(e: RouterError | UpstreamError): string {
  if (e instanceof RouterError) return e.publicCode ?? e.code;
  return e.code === null ? (e.status >= 500 ? "upstream_error" : `upstream_${e.status}`) : recordText(e.code);
}

/** Told about every routed or refused request when it ends. */
export type RequestFinishedListener = (rec: RequestRecord) => void;
