import { decryptSecret, encryptSecret, isSealed } from "@ai-router/contracts";
import type { Db } from "./client.js";

/**
 * Provider `headers` are sealed like provider keys: every value is stored, published and cached as
 * `enc:v1:...` (AES-256-GCM under ROUTER_MASTER_KEY) and opened only in proxy and health-worker memory.
 * Any header may carry a credential (`api-key`, `X-Custom-Token`, a signed cookie...), so all are.
 */

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});

/** Seals every value that is not sealed yet. */
export function sealHeaders(h: Record<string, string>, key: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k] = isSealed(v) ? v : encryptSecret(v, key);
  return out;
}

/** Opens stored header values (plaintext ones, from before sealing, pass through). */
export function openHeaders(h: unknown, key: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(h))) out[k] = decryptSecret(String(v), key);
  return out;
}

const hasPlaintext = (h: unknown): boolean => Object.values(obj(h)).some((v) => !isSealed(String(v)));

/**
 * Seals the header values of rows written before headers were sealed (at start-up, before the first
 * publish). Returns how many providers were rewritten.
 */
export async function sealStoredHeaders(db: Db, key: Buffer): Promise<number> {
  const rows = await db.provider.findMany({ select: { id: true, headers: true } });
  let n = 0;
  for (const r of rows) {
    if (!hasPlaintext(r.headers)) continue;
    const plain: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj(r.headers))) plain[k] = String(v);
    await db.provider.update({ where: { id: r.id }, data: { headers: sealHeaders(plain, key) } });
    n++;
  }
  return n;
}
