import { isRetryableStatus, type UpstreamError } from "../adapter.js";

/** Google's canonical status names and the OpenAI error `type` each becomes. */
const OPENAI_TYPE: Record<string, string> = {
  INVALID_ARGUMENT: "invalid_request_error",
  FAILED_PRECONDITION: "invalid_request_error",
  OUT_OF_RANGE: "invalid_request_error",
  UNAUTHENTICATED: "authentication_error",
  PERMISSION_DENIED: "permission_error",
  NOT_FOUND: "not_found_error",
  RESOURCE_EXHAUSTED: "rate_limit_error",
  CANCELLED: "server_error",
  INTERNAL: "server_error",
  UNAVAILABLE: "server_error",
  DEADLINE_EXCEEDED: "server_error",
};

function typeOf(status: number, name: string | undefined): string {
  const named = name ? OPENAI_TYPE[name] : undefined;
  if (named) return named;
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  return status >= 500 ? "server_error" : "invalid_request_error";
}

interface GeminiErrorBody {
  code?: unknown;
  message?: unknown;
  status?: unknown;
  details?: { reason?: unknown }[];
}

/**
 * Gemini's error envelope (`{"error":{"code","message","status","details"}}`, as an HTTP body or a
 * stream event; a JSON array of it from the array-framed stream) -> UpstreamError. The HTTP status
 * and message are kept; `code` is Google's status name (`RESOURCE_EXHAUSTED`...). A key Gemini
 * rejects (400 with reason `API_KEY_INVALID`) is typed `authentication_error`. 408, 429 and 5xx fail over.
 */
export function toGeminiUpstreamError(status: number, parsed: unknown): UpstreamError {
  const root = Array.isArray(parsed) ? parsed[0] : parsed;
  const e = (root as { error?: GeminiErrorBody } | null)?.error;
  const name = typeof e?.status === "string" ? e.status : undefined;
  const message = typeof e?.message === "string" && e.message ? e.message : `upstream returned HTTP ${status}`;
  const keyInvalid = e?.details?.some((d) => d?.reason === "API_KEY_INVALID") ?? false;
  return {
    status,
    message,
    type: keyInvalid ? "authentication_error" : typeOf(status, name),
    code: name ?? null,
    param: null,
    retryable: isRetryableStatus(status),
  };
}

/** Parses a Gemini non-2xx body (JSON or, from a gateway in front of it, anything else). */
export function parseGeminiError(status: number, body: Buffer): UpstreamError {
  const text = body.toString("utf8");
  try {
    return toGeminiUpstreamError(status, JSON.parse(text));
  } catch {
    const err = toGeminiUpstreamError(status, null);
    const snippet = text.trim().slice(0, 500);
    if (snippet) err.message = `upstream returned HTTP ${status}: ${snippet}`;
    return err;
  }
}

/** The HTTP status of an in-band stream error (its `code`, else from its status name). */
export function geminiErrorStatus(parsed: unknown): number {
  const e = (parsed as { error?: GeminiErrorBody } | null)?.error;
  if (typeof e?.code === "number" && e.code >= 400 && e.code < 600) return e.code;
  const byName: Record<string, number> = { RESOURCE_EXHAUSTED: 429, UNAVAILABLE: 503, DEADLINE_EXCEEDED: 504, INVALID_ARGUMENT: 400 };
  return (typeof e?.status === "string" ? byName[e.status] : undefined) ?? 500;
}
