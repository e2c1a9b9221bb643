import { type OpenAIUsage, type Price, recordText, type UsageAttempt } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { UpstreamError } from "@ai-router/providers";
import { withinJsonDepth } from "../http/json-depth.js";
import type { RequestFinished } from "../pipeline/request-finished.js";

/** How the tokens of an answer without upstream usage are estimated. */
export type EstimateKind = "chat" | "prompt" | "none";

/** Which usage record a route produces: its ingress, endpoint and how tokens are estimated. */
export interface UsageRoute {
  /** openai-chat, anthropic-messages, ... */
  ingress: string;
  /** chat.completions, messages, ... */
  endpoint: string;
  estimate: EstimateKind;
}

/**
 * What is known about a request while it runs: the handlers fill it in, the server turns it into one
 * usage record when the request ends (the only place a record is built). A narrow hook: handlers only
 * call the `note*` functions below.
 */
export interface UsageDraft {
  readonly route: UsageRoute;
  /** The route's ingress. */
  ingress: string;
  /** The route's endpoint, or what the pipeline says (`gemini.streamGenerateContent`...). */
  endpoint: string;
  /** The model the client named; undefined until known (no record then, unless refused by a limit). */
  model: string | undefined;
  stream: boolean;
  /**
   * Refused by a client-key limit (before the body was read, or by the cluster-wide limiter before any
   * attempt): recorded without a model, the same record in both modes.
   */
  refused: boolean;
  attempts: UsageAttempt[];
  provider: string | null;
  upstreamModel: string | null;
  price: Price | undefined;
  usage: OpenAIUsage | undefined;
  /** The pipeline estimated `usage` (the upstream reported none). */
  usageEstimated: boolean;
  /** ms from arrival to the answer's first byte; undefined when nothing was sent. */
  ttftMs: number | undefined;
  errorCode: string | null;
  /** The answer reached the client (in full or in part): its tokens are charged, estimated if need be. */
  answered: boolean;
}

export function newDraft(route: UsageRoute): UsageDraft {
  return {
    route,
    ingress: route.ingress,
    endpoint: route.endpoint,
    model: undefined,
    stream: false,
    refused: false,
    attempts: [],
    provider: null,
    upstreamModel: null,
    price: undefined,
    usage: undefined,
    usageEstimated: false,
    ttftMs: undefined,
    errorCode: null,
    answered: false,
  };
}

/** A request a client-key limit refused: its record says so (the error, no model), whichever limiter it was. */
export function noteRefused(d: UsageDraft | undefined, e: RouterError): void {
  if (d === undefined) return;
  d.refused = true;
  d.model = undefined;
  d.errorCode = errorCodeOf(e);
}

/**
 * Stable code of an error for records: the code the client saw, or the router's own. An upstream's
 * own code is its text: cleaned and bounded like a name.
 */
export function errorCodeOf(e: RouterError | UpstreamError): string {
  if (e instanceof RouterError) return e.publicCode ?? e.code;
  return e.code === null ? (e.status >= 500 ? "upstream_error" : `upstream_${e.status}`) : recordText(e.code);
}

/**
 * Takes what the attempt pipeline learnt about a routed request (its "request finished" record): the
 * serving target and its price, usage, the failover chain, time to first byte, the error code.
 */
export function absorbFinished(
  d: UsageDraft,
  f: RequestFinished,
  error: RouterError | UpstreamError | undefined,
  aborted: boolean,
  answerStarted: boolean,
): void {
  d.stream = f.stream;
  d.endpoint = f.endpoint;
  d.provider = f.provider;
  d.upstreamModel = f.upstreamModel;
  d.price = f.price;
  d.usage = f.usage;
  d.usageEstimated = f.usageEstimated === true;
  d.ttftMs = f.ttfbMs;
  // Bytes of an answer reached the client (also a stream the client cut): its tokens are charged.
  d.answered = f.outcome === "served" || f.outcome === "broken" || (f.outcome === "cancelled" && answerStarted);
  if (error !== undefined) d.errorCode = aborted ? "client_closed_request" : errorCodeOf(error);
  d.attempts = f.attempts.map((a) => ({
    provider: a.provider,
    upstream_model: a.upstreamModel,
    outcome: a.outcome,
    status: a.outcome === "served" ? 200 : a.status,
    error_code: a.errorCode,
    latency_ms: Math.round(a.durationMs * 100) / 100,
  }));
}

/** The model named in a raw body that failed validation (the error path only: parses once more). */
export function noteModelOfRaw(d: UsageDraft, raw: Buffer): void {
  // A body refused for its depth is not parsed again (that is what its refusal spared).
  if (d.model !== undefined || !withinJsonDepth(raw)) return;
  try {
    noteModelOf(d, JSON.parse(raw.toString("utf8")));
  } catch {
    // not JSON: no model to name
  }
}

/** The model named in a parsed body, noted before validation so a rejected request is still recorded. */
export function noteModelOf(draft: UsageDraft | undefined, body: unknown): void {
  if (draft === undefined || draft.model !== undefined) return;
  const m = (body as { model?: unknown } | null)?.model;
  if (typeof m === "string" && m.length > 0) draft.model = recordText(m);
}
