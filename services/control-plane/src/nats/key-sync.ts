import { keysBucketName, kvContext, type Signer, type TableClientKey } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

/** Puts run this many at a time (a first sync of 100,000 keys). */
const PARALLEL = 1_000;

/**
 * Keeps the client keys bucket equal to the database's keys, one signed entry per key (its SHA-256 as
 * the KV key): after a change only the keys whose entry changed are put (or deleted), so a revoked key
 * is one small message whatever the number of keys. The first sync after start puts every key and
 * deletes entries of keys that no longer exist.
 */
export class KeySync {
  private kv: KV | undefined;
  /** Entry text last put per key; undefined until the first full sync. */
  private published: Map<string, string> | undefined;

  constructor(
    private readonly routingBucket: string,
    private readonly signer: Signer,
    private readonly logger: Logger,
  ) {}

  get bucket(): string {
    return keysBucketName(this.routingBucket);
  }

  /** Makes the bucket hold exactly `keys`; returns how many entries were put and deleted. */
  async sync(nc: NatsConnection, keys: readonly TableClientKey[]): Promise<{ put: number; deleted: number }> {
    this.kv ??= await new Kvm(nc).create(this.bucket, { history: 1 });
    const kv = this.kv;
    const next = new Map(keys.map((k) => [k.sha256, JSON.stringify(k)]));
    let before = this.published;
    if (before === undefined) {
      before = new Map();
      // First sync: whatever the bucket holds that the database does not is deleted.
      const stale: string[] = [];
      for await (const k of await kv.keys()) if (!next.has(k)) stale.push(k);
      for (const k of stale) before.set(k, "");
    }
    const puts = [...next].filter(([sha, text]) => before.get(sha) !== text);
    const dels = [...before.keys()].filter((sha) => !next.has(sha));
    const context = (sha: string) => kvContext(this.bucket, sha);
    for (let i = 0; i < puts.length; i += PARALLEL) {
      await Promise.all(puts.slice(i, i + PARALLEL).map(([sha, text]) => kv.put(sha, this.signer.sign(text, context(sha)))));
    }
    for (const sha of dels) await kv.delete(sha);
    this.published = next;
    if (puts.length + dels.length > 0)
      this.logger.info({ put: puts.length, deleted: dels.length, bucket: this.bucket }, "client keys published");
    return { put: puts.length, deleted: dels.length };
  }

  /** Whether a full sync has run (one-key updates need the bucket in step first). */
  get primed(): boolean {
    return this.published !== undefined;
  }

  /** Puts one key's entry (or deletes it: `key` undefined), after a full sync. */
  async putOne(sha: string, key: TableClientKey | undefined): Promise<void> {
    const kv = this.kv;
    if (!kv || !this.published) throw new Error("client keys not synced yet");
    if (key === undefined) {
      await kv.delete(sha);
      this.published.delete(sha);
      return;
    }
    const text = JSON.stringify(key);
    await kv.put(sha, this.signer.sign(text, kvContext(this.bucket, sha)));
    this.published.set(sha, text);
  }

  /** Forget what was published (a new NATS server may have lost the bucket): the next sync is a full one. */
  reset(): void {
    this.published = undefined;
    this.kv = undefined;
  }
}
