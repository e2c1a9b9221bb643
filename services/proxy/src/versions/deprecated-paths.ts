import { type DeprecationSpec, pathOf } from "./deprecation.js";

/** Deprecated on 2026-12-07 (router 0.2), answering until the end of June 2027 (one minor version). */
const DEPRECATED_AT = "2026-12-07T00:00:00Z";
const SUNSET_AT = "2027-06-30T23:59:59Z";

/**
 * The original product's duplicate paths that have a better successor, still served with RFC 9745 /
 * RFC 8594 headers (docs/api-versions.md lists them). A request's own query string is not carried to
 * the successor link: the successors take the model as `?model=`.
 */
export const DEPRECATED_PATHS: readonly DeprecationSpec[] = [
  {
    path: "GET /v1/providers/{name}/best-for-model",
    route: "GET /v1/providers/*",
    // The original ignored `{name}`: the same answer as the path without it.
    when: (_ctx, rest) => rest.lastIndexOf("/") > 0 && rest.endsWith("/best-for-model"),
    deprecatedAt: DEPRECATED_AT,
    sunsetAt: SUNSET_AT,
    successor: "/v1/providers/best-for-model",
  },
  {
    path: "GET /v1/models/{model}/health",
    route: "GET /v1/models/*",
    // An older duplicate of the per-model health check; a model whose own name ends in /health is itself.
    when: (ctx, rest) => rest.endsWith("/health") && !ctx.table.models.has(rest),
    deprecatedAt: DEPRECATED_AT,
    sunsetAt: SUNSET_AT,
    successor: (rest) => pathOf("/v1/health/models/", rest.slice(0, -"/health".length)),
  },
];
