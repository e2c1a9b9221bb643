/** Reasons by upstream status: what an admin needs to act on, nothing the upstream wrote. */
const BY_STATUS: Record<number, string> = {
  400: "bad request",
  401: "unauthorized (check the key)",
  403: "forbidden (check the key's permissions)",
  404: "not found (check the base URL and adapter)",
  405: "method not allowed (check the base URL and adapter)",
  407: "proxy authentication required",
  408: "request timeout",
  429: "rate limited",
};

/** Failures found before any answer came, as the probe describes them (local facts, no upstream text). */
const LOCAL = [
  /^timed out after \d+ ms$/,
  /^connection refused \(ECONNREFUSED\)$/,
  /^host not found \((ENOTFOUND|EAI_AGAIN)\)$/,
  /^connect timed out$/,
];

/**
 * The "test connection" answer's `error`: a short classified reason, never the upstream's body or
 * message (the endpoint may be any host, so its answer is not echoed). Null when the probe succeeded.
 */
export function probeReason(r: { ok: boolean; status: number | null; error: string | null }): string | null {
  if (r.ok) return null;
  if (r.status !== null) {
    const why =
      BY_STATUS[r.status] ??
      (r.status >= 500 ? "upstream error" : r.status >= 300 && r.status < 400 ? "redirect (not followed)" : "refused");
    return `HTTP ${r.status}: ${why}`;
  }
  const e = r.error ?? "";
  if (LOCAL.some((re) => re.test(e))) return e;
  if (e.startsWith("provider type ")) return "provider type not supported by this build";
  const code = /\(([A-Z][A-Z0-9_]{2,40})\)$/.exec(e)?.[1];
  return code ? `connection failed (${code})` : "connection failed";
}
