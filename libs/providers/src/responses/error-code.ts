/**
 * The codes a Response's `error.code` may take in OpenAI's published schema (`ResponseErrorCode`,
 * openai-openapi). A client generated from that schema rejects any other value, so the router's own
 * codes (`upstream_unreachable`, `upstream_timeout`...) are mapped onto these and kept beside them in
 * `router_code`.
 */
export const RESPONSE_ERROR_CODES: ReadonlySet<string> = new Set([
  "server_error",
  "rate_limit_exceeded",
  "invalid_prompt",
  "data_residency_mismatch",
  "bio_policy",
  "vector_store_timeout",
  "invalid_image",
  "invalid_image_format",
  "invalid_base64_image",
  "invalid_image_url",
  "image_too_large",
  "image_too_small",
  "image_parse_error",
  "image_content_policy_violation",
  "invalid_image_mode",
  "image_file_too_large",
  "unsupported_image_media_type",
  "empty_image_file",
  "failed_to_download_image",
  "image_file_not_found",
]);

/** Router and provider codes that mean "too many requests" (the rest of the router's codes are server-side here). */
const RATE_LIMITED = new Set(["rate_limited", "rate_limit_exceeded", "rate_limit_error", "insufficient_quota", "too_many_requests"]);

/** A Response's `error` object: a published code, the message, and the original code when it differs. */
export function responseError(message: string, code: string | null): { code: string; message: string; router_code?: string } {
  if (code !== null && RESPONSE_ERROR_CODES.has(code)) return { code, message };
  const published = code !== null && RATE_LIMITED.has(code) ? "rate_limit_exceeded" : "server_error";
  return code === null ? { code: published, message } : { code: published, message, router_code: code };
}
