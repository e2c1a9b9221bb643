import type { ServerResponse } from "node:http";
import { METRIC_PREFIX } from "@ai-router/contracts";
import type { RequestContext } from "../handlers/context.js";
import type { Route } from "../server.js";

/** One deprecated path (or use of a path), as docs/api-versions.md lists it. */
export interface DeprecationSpec {
  /** The deprecated form as the docs and the metric's `path` label name it, e.g. `GET /v1/providers/{name}/best-for-model`. */
  path: string;
  /** The route it lives on (`METHOD path`, a prefix route's path ending in `*`). */
  route: string;
  /** For a route that serves more than the deprecated form: true when this request uses it. */
  when?(ctx: RequestContext, rest: string): boolean;
  /** When it was deprecated (ISO date): RFC 9745 `Deprecation: @<unix seconds>`. */
  deprecatedAt: string;
  /** When it may stop answering (ISO date): RFC 8594 `Sunset: <HTTP-date>`. */
  sunsetAt: string;
  /**
   * What to use instead: `Link: <successor>; rel="successor-version"`; a function gets the route's
   * (decoded) path rest and returns a path whose segments it has URI-encoded ({@link pathOf}).
   */
  successor: string | ((rest: string) => string);
  /** Human documentation of the deprecation: `Link: <docs>; rel="deprecation"`. */
  docs?: string;
}

/** A path from segments a client may have sent: each URI-encoded, so no header can be broken by it. */
export const pathOf = (base: string, rest: string): string => base + rest.split("/").map(encodeURIComponent).join("/");

/** The `Link` header of a deprecation for one request. */
function linkOf(spec: DeprecationSpec, rest: string): string {
  const successor = typeof spec.successor === "string" ? spec.successor : spec.successor(rest);
  const link = `<${successor}>; rel="successor-version"`;
  return spec.docs === undefined ? link : `${link}, <${spec.docs}>; rel="deprecation"; type="text/html"`;
}

/** The response headers of a deprecation (`rest`: the route's path rest, for a successor that names it). */
export function deprecationHeaders(spec: DeprecationSpec, rest = ""): Record<string, string> {
  const at = Date.parse(spec.deprecatedAt);
  const sunset = Date.parse(spec.sunsetAt);
  if (!Number.isFinite(at) || !Number.isFinite(sunset)) throw new Error(`bad deprecation dates for ${spec.path}`);
  return { deprecation: `@${Math.floor(at / 1000)}`, sunset: new Date(sunset).toUTCString(), link: linkOf(spec, rest) };
}

/**
 * The deprecated paths of one proxy: wraps the routes they live on so a request that uses one answers
 * with `Deprecation`, `Sunset` and `Link` and is counted in `ai_router_deprecated_requests_total{path}`.
 * Routes without a deprecation are returned as they are (no cost on any other request).
 */
export class Deprecations {
  private readonly byRoute = new Map<string, { spec: DeprecationSpec; headers: Record<string, string>; count: { value: number } }[]>();
  private readonly counts: { path: string; count: { value: number } }[] = [];

  constructor(specs: readonly DeprecationSpec[]) {
    for (const spec of specs) {
      const count = { value: 0 };
      const list = this.byRoute.get(spec.route) ?? [];
      list.push({ spec, headers: deprecationHeaders(spec), count });
      this.byRoute.set(spec.route, list);
      this.counts.push({ path: spec.path, count });
    }
  }

  /** The route, answering its deprecated forms with the headers and counting them. */
  wrap(route: Route): Route {
    const list = this.byRoute.get(`${route.method} ${route.path}`);
    if (list === undefined) return route;
    const handle = route.handle;
    return Object.assign({}, route, {
      handle(ctx: RequestContext, rest: string) {
        for (const d of list) {
          if (d.spec.when !== undefined && !d.spec.when(ctx, rest)) continue;
          mark(ctx.res, d.headers);
          if (typeof d.spec.successor !== "string") ctx.res.setHeader("link", linkOf(d.spec, rest));
          d.count.value++;
          break;
        }
        return handle(ctx, rest);
      },
    });
  }

  /**
   * `ai_router_deprecated_requests_total{path}` in Prometheus text (every deprecated path, 0 included).
   * The label writes path parameters as `:name` (no braces in a label value, for simple text parsers).
   */
  metricsText(): string {
    const name = `${METRIC_PREFIX}deprecated_requests_total`;
    let out = `# HELP ${name} Requests that used a deprecated path (docs/api-versions.md)\n# TYPE ${name} counter\n`;
    for (const { path, count } of this.counts) out += `${name}{path="${metricPath(path)}"} ${count.value}\n`;
    return out;
  }
}

/** A deprecated path as its metric label: `{param}` as `:param`, backslashes and quotes escaped. */
export const metricPath = (path: string): string =>
  path
    .replace(/\{([^}]*)\}/g, ":$1")
    .replaceAll("\\", "\\\\")
    .replaceAll('"', '\\"');

/** Sets the deprecation headers on a response whose head is not written yet (they join writeHead's). */
function mark(res: ServerResponse, headers: Record<string, string>): void {
  for (const k in headers) res.setHeader(k, headers[k] as string);
}
