import type { TableProvider } from "@ai-router/contracts";
import type { RuntimeProvider } from "./adapter.js";

/** A table provider with its keys opened and its base URL split into origin and path (for the pools). */
export function toRuntimeProvider(p: TableProvider, apiKeys: string[]): RuntimeProvider {
  const u = new URL(p.baseUrl);
  return Object.assign({}, p, { apiKeys, origin: u.origin, basePath: u.pathname.replace(/\/+$/, "") });
}

/** Round-robin over a provider's keys (undefined when it has none): one request or probe, the next key. */
export function keyRotation(keys: readonly string[]): () => string | undefined {
  if (keys.length === 0) return () => undefined;
  if (keys.length === 1) return () => keys[0];
  let k = 0;
  return () => keys[k++ % keys.length];
}
