import { keysBucketName, kvContext, type Signer, TableClientKey, tolerant } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

/** Read tolerantly, like the table (a newer control plane may add fields). */
const KeyEntry = tolerant(TableClientKey);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows the client keys bucket (one signed entry per key, keyed by its SHA-256) into `keys`, one
 * entry at a time: a new or revoked key reaches this replica as one small message, whatever the number
 * of keys. A deleted entry removes the key. `onKey` is told about each key that arrives (limits).
 */
export class KeyFollower {
  private closed = false;
  private kv: KV | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly routingBucket: string,
    private readonly keys: Map<string, TableClientKey>,
    private readonly signer: Signer,
    private readonly logger: Logger,
    private readonly onKey: (k: TableClientKey) => void,
  ) {}

  start(): void {
    void this.run().catch((err) => this.logger.error({ err: (err as Error).message }, "client key follower stopped"));
  }

  private async run(): Promise<void> {
    const bucket = keysBucketName(this.routingBucket);
    while (!this.closed) {
      try {
        this.kv ??= await new Kvm(this.nc).open(bucket);
        await this.kv.status(); // throws until the control plane created it
        const watch = await this.kv.watch({ key: ">" });
        for await (const e of watch) {
          if (this.closed) break;
          if (e.operation !== "PUT") {
            this.keys.delete(e.key);
            continue;
          }
          const v = this.signer.verify(e.value, kvContext(bucket, e.key));
          const parsed = v.ok ? KeyEntry.safeParse(safeJson(v.payload)) : undefined;
          if (!parsed?.success || parsed.data.sha256 !== e.key) {
            this.logger.warn({ key: e.key.slice(0, 8), reason: v.ok ? "invalid" : v.reason }, "client key entry rejected");
            continue;
          }
          this.keys.set(e.key, parsed.data);
          this.onKey(parsed.data);
        }
      } catch (err) {
        this.kv = undefined;
        if (!this.closed) this.logger.debug({ err: (err as Error).message }, "client key watch interrupted; retrying");
      }
      await sleep(500);
    }
  }

  close(): void {
    this.closed = true;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
