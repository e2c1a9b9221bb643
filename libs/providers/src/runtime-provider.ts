import type { TableProvider } from "@ai-router/contracts";
import type { RuntimeProvider } from "./adapter.js";

/** A table provider with its keys opened and its base URL split into origin and path (for the pools). */
export function toRuntimeProvider(p: TableProvider, apiKeys: string[]): RuntimeProvider {
  const u = new URL(p.baseUrl);
  return Object.assign({}, p, { apiKeys, origin: u.origin, basePath: u.pathname.replace(/\/+$/, "") });
}
