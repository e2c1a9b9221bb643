/**
 * The one error table: a stable code, the HTTP status, the OpenAI error `type`, and whether the
 * message may be shown to clients. Internal errors never expose their text.
 */
export const errorCodes = {
  invalid_json: { status: 400, type: "invalid_request_error", clientSafe: true },
  invalid_request: { status: 400, type: "invalid_request_error", clientSafe: true },
  unsupported_field: { status: 400, type: "invalid_request_error", clientSafe: true },
  unsupported_endpoint: { status: 400, type: "invalid_request_error", clientSafe: true },
  missing_api_key: { status: 401, type: "authentication_error", clientSafe: true },
  invalid_api_key: { status: 401, type: "authentication_error", clientSafe: true },
  model_not_allowed: { status: 403, type: "permission_error", clientSafe: true },
  model_not_found: { status: 404, type: "invalid_request_error", clientSafe: true },
  not_found: { status: 404, type: "not_found_error", clientSafe: true },
  method_not_allowed: { status: 405, type: "invalid_request_error", clientSafe: true },
  conflict: { status: 409, type: "invalid_request_error", clientSafe: true },
  request_timeout: { status: 408, type: "invalid_request_error", clientSafe: true },
  body_too_large: { status: 413, type: "invalid_request_error", clientSafe: true },
  unsupported_media_type: { status: 415, type: "invalid_request_error", clientSafe: true },
  rate_limited: { status: 429, type: "rate_limit_error", clientSafe: true },
  /** A client key's rpm or tpm limit (OpenAI's code; its type names the limit: `requests` or `tokens`). */
  rate_limit_exceeded: { status: 429, type: "requests", clientSafe: true },
  /** A client key's budget is spent (OpenAI's code and type for an exhausted quota). */
  insufficient_quota: { status: 429, type: "insufficient_quota", clientSafe: true },
  internal_error: { status: 500, type: "server_error", clientSafe: false },
  upstream_unreachable: { status: 502, type: "server_error", clientSafe: true },
  upstream_bad_response: { status: 502, type: "server_error", clientSafe: true },
  no_available_provider: { status: 503, type: "server_error", clientSafe: true },
  /** Every connection of a provider's pool stayed busy for the whole bounded wait (a failover trigger). */
  upstream_busy: { status: 503, type: "server_error", clientSafe: true },
  shutting_down: { status: 503, type: "server_error", clientSafe: true },
  upstream_timeout: { status: 504, type: "server_error", clientSafe: true },
} as const satisfies Record<string, { status: number; type: string; clientSafe: boolean }>;

export type ErrorCode = keyof typeof errorCodes;
