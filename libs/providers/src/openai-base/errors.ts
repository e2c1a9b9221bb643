import { isRetryableStatus, type UpstreamError } from "../adapter.js";

const typeByStatus = (status: number): string =>
  status === 401
    ? "authentication_error"
    : status === 403
      ? "permission_error"
      : status === 404
        ? "not_found_error"
        : status === 429
          ? "rate_limit_error"
          : status >= 500
            ? "server_error"
            : "invalid_request_error";

/** Builds an UpstreamError from a parsed OpenAI-style error body (`{"error":{...}}`). */
export function toUpstreamError(status: number, parsed: unknown): UpstreamError {
  const e = (parsed as { error?: unknown } | null)?.error;
  const obj = e && typeof e === "object" ? (e as Record<string, unknown>) : undefined;
  const message = typeof obj?.message === "string" ? obj.message : typeof e === "string" ? e : `upstream returned HTTP ${status}`;
  return {
    status,
    message,
    type: typeof obj?.type === "string" ? obj.type : typeByStatus(status),
    code: typeof obj?.code === "string" ? obj.code : obj?.code != null ? String(obj.code) : null,
    param: typeof obj?.param === "string" ? obj.param : null,
    retryable: isRetryableStatus(status),
  };
}

export function parseOpenAIError(status: number, body: Buffer): UpstreamError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    const text = body.toString("utf8").trim().slice(0, 500);
    const err = toUpstreamError(status, null);
    if (text) err.message = `upstream returned HTTP ${status}: ${text}`;
    return err;
  }
  return toUpstreamError(status, parsed);
}
