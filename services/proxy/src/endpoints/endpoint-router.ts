import type { RecordRoute } from "../record/request-record.js";
import type { Endpoint } from "./endpoint.js";

/** A matched endpoint: its declaration, the path's rest (prefix endpoints), and how its requests are recorded. */
export interface Matched {
  endpoint: Endpoint;
  rest: string;
  record: RecordRoute;
}

/** The result of a match: the endpoint, `wrong_method` (405), or undefined (404). */
export type Match = Matched | "wrong_method" | undefined;

/** How an endpoint's requests are recorded: its `usage`, else its path as the endpoint name (refusals only). */
function recordRouteOf(e: Endpoint): RecordRoute {
  // The endpoint as usage records name it: /v1/chat/completions -> chat.completions.
  return e.usage ?? { ingress: "", endpoint: e.path.replace(/^\/v1\//, "").replaceAll("/", "."), estimate: "none" };
}

/**
 * The table of declared endpoints: exact paths in a map (one lookup a request), prefix paths (`*`)
 * tried in the order they were added.
 */
export class EndpointRouter {
  private readonly exact = new Map<string, Matched>();
  private readonly prefixes: { endpoint: Endpoint; base: string; record: RecordRoute }[] = [];

  add(e: Endpoint): void {
    const record = recordRouteOf(e);
    if (e.path.endsWith("*")) this.prefixes.push({ endpoint: e, base: e.path.slice(0, -1), record });
    else this.exact.set(`${e.method} ${e.path}`, { endpoint: e, rest: "", record });
  }

  /**
   * Finds the endpoint for a path: a trailing slash is ignored (the original answered both forms), and
   * the rest of a prefix path is URL-decoded once here (a malformed escape is a 404, never a 500).
   * An exact match is the stored entry itself: nothing is allocated.
   */
  match(method: string, rawPath: string): Match {
    const path = rawPath.length > 1 && rawPath.endsWith("/") ? rawPath.slice(0, -1) : rawPath;
    const e = this.exact.get(`${method} ${path}`);
    if (e) return e;
    for (const { endpoint, base, record } of this.prefixes) {
      if (endpoint.method !== method || !path.startsWith(base) || path.length <= base.length) continue;
      try {
        return { endpoint, rest: decodeURIComponent(path.slice(base.length)), record };
      } catch {
        return undefined;
      }
    }
    for (const k of this.exact.keys()) if (k.slice(k.indexOf(" ") + 1) === path) return "wrong_method";
    return undefined;
  }
}
