import { nats, type Signer } from "@ai-router/contracts";

/** The part of the KV API a compare-and-set put needs. */
export interface TableBucket {
  get(k: string): Promise<{ operation: string; revision: number; value: Uint8Array } | null>;
  create(k: string, data: string): Promise<number>;
  update(k: string, data: string, version: number): Promise<number>;
}

/** Signs a table for the bucket and opens signed entries (contexted `Signer` of libs/contracts). */
export interface TableSigner {
  sign(data: string): string;
  verify(entry: Uint8Array): ReturnType<Signer["verify"]>;
}

/**
 * The revision of a stored table entry, or 0 when it is not a validly signed table: a forged entry,
 * whatever revision it claims, never stops the control plane from putting the real table over it.
 */
export function signedRevision(e: { value: Uint8Array }, signer: TableSigner): number {
  const v = signer.verify(e.value);
  if (!v.ok) return 0;
  try {
    const rev = (JSON.parse(v.payload) as { revision?: unknown } | null)?.revision;
    return typeof rev === "number" ? rev : 0;
  } catch {
    return 0;
  }
}

/**
 * Puts a table unless the bucket already holds a newer one, as a compare-and-set on the entry's KV
 * sequence: with several control planes, a slow publisher must never overwrite a newer table (proxies
 * would ignore it, but a proxy or health worker starting afterwards would boot from the stale one).
 */
export async function putIfNewer(
  kv: TableBucket,
  revision: number,
  data: string,
  signer: TableSigner,
  attempts = 5,
): Promise<"put" | "superseded"> {
  const signed = signer.sign(data);
  for (let i = 0; ; i++) {
    const e = await kv.get(nats.routingKey);
    try {
      if (e?.operation !== "PUT") {
        // create() also succeeds over a deleted or purged entry.
        await kv.create(nats.routingKey, signed);
        return "put";
      }
      if (signedRevision(e, signer) >= revision) return "superseded";
      await kv.update(nats.routingKey, signed, e.revision);
      return "put";
    } catch (err) {
      // Another publisher wrote in between (wrong last sequence): read again and decide again.
      if (i + 1 >= attempts) throw err;
    }
  }
}
