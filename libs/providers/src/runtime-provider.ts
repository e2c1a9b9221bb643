import type { TableProvider } from "@ai-router/contracts";
import type { RuntimeProvider } from "./adapter.js";

/** A table provider with its keys opened and its base URL split into origin and path (for the pools). */
export function toRuntimeProvider(
  p: TableProvider,
  apiKeys: string[],
  headers: Record<string, string> = p.headers,
  proxyUrl: string | undefined = p.proxyUrl,
): RuntimeProvider {
  const u = new URL(p.baseUrl);
  const out = Object.assign({}, p, { apiKeys, headers, origin: u.origin, basePath: u.pathname.replace(/\/+$/, "") });
  if (proxyUrl !== undefined) out.proxyUrl = proxyUrl;
  return out;
}

/**
 * A table provider's secrets opened with `decrypt` (ROUTER_MASTER_KEY in cluster mode, where keys and
 * header values travel sealed; plaintext passes through): its keys, its extra headers and its egress
 * proxy URL (which may hold a password). Throws when
 * one cannot be opened.
 */
export function openProviderSecrets(
  p: TableProvider,
  decrypt: (secret: string) => string,
): { apiKeys: string[]; headers: Record<string, string>; proxyUrl: string | undefined } {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.headers)) headers[k] = decrypt(v);
  return { apiKeys: p.apiKeys.map(decrypt), headers, proxyUrl: p.proxyUrl === undefined ? undefined : decrypt(p.proxyUrl) };
}

/** Round-robin over a provider's keys (undefined when it has none): one request or probe, the next key. */
export function keyRotation(keys: readonly string[]): () => string | undefined {
  if (keys.length === 0) return () => undefined;
  if (keys.length === 1) return () => keys[0];
  let k = 0;
  return () => keys[k++ % keys.length];
}
