import type { UpstreamError } from "../adapter.js";

/** Anthropic's error types and the OpenAI `type` each becomes on the OpenAI endpoint. */
const OPENAI_TYPE: Record<string, string> = {
  invalid_request_error: "invalid_request_error",
  authentication_error: "authentication_error",
  permission_error: "permission_error",
  not_found_error: "not_found_error",
  request_too_large: "invalid_request_error",
  billing_error: "insufficient_quota",
  rate_limit_error: "rate_limit_error",
  timeout_error: "server_error",
  api_error: "server_error",
  overloaded_error: "server_error",
};

/** The Anthropic error type for an HTTP status (when a body names none). */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

/** True for an Anthropic error type name (used to restore it on the /v1/messages endpoint). */
export const isAnthropicErrorType = (t: string | null | undefined): t is string => t != null && t in OPENAI_TYPE;

/**
 * Anthropic's error (`{"type":"error","error":{"type","message"}}`, HTTP or in-band) -> UpstreamError.
 * The Anthropic type is kept as `code`. 529 becomes 503 for OpenAI clients, which know no 529; the
 * /v1/messages endpoint turns `overloaded_error` back into 529. Overload, rate limits, timeouts and
 * 5xx are failover triggers.
 */
export function toAnthropicUpstreamError(status: number, parsed: unknown): UpstreamError {
  const e = (parsed as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  const named = typeof e?.type === "string" ? e.type : undefined;
  const type = named ?? anthropicErrorType(status);
  const message = typeof e?.message === "string" ? e.message : `upstream returned HTTP ${status}`;
  const overloaded = type === "overloaded_error" || status === 529;
  return {
    status: overloaded ? 503 : status,
    message,
    type: OPENAI_TYPE[type] ?? (status >= 500 ? "server_error" : "invalid_request_error"),
    code: type,
    param: null,
    retryable: overloaded || status === 429 || status === 408 || status >= 500 || type === "rate_limit_error" || type === "api_error",
  };
}

/** Parses an Anthropic non-2xx body. */
export function parseAnthropicError(status: number, body: Buffer): UpstreamError {
  const text = body.toString("utf8");
  try {
    return toAnthropicUpstreamError(status, JSON.parse(text));
  } catch {
    const err = toAnthropicUpstreamError(status, null);
    const snippet = text.trim().slice(0, 500);
    if (snippet) err.message = `upstream returned HTTP ${status}: ${snippet}`;
    return err;
  }
}

const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** The HTTP status Anthropic uses for an error type (for in-band stream errors, which have none). */
export const anthropicStatus = (type: string | null | undefined): number => (type ? STATUS_OF_TYPE[type] : undefined) ?? 500;
