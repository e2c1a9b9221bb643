import { connectForever, type NatsCredentials } from "@ai-router/cluster";
import type { Logger } from "@ai-router/logger";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

export interface NatsLinkOptions {
  url: string;
  bucket: string;
  logger: Logger;
  name: string;
  /** NATS user/password (default: NATS_USER / NATS_PASSWORD; a URL may carry them too). */
  credentials?: NatsCredentials;
  /** Called after every reconnect (resync / republish). */
  onReconnect?: () => void;
  /** Called once, when first connected. */
  onConnect?: (nc: NatsConnection) => void;
}

/**
 * A NATS connection that is attempted forever in the background (a service starts even when NATS is
 * down) and the routing KV bucket on it, created if missing.
 */
export class NatsLink {
  private nc: NatsConnection | undefined;
  private kv: KV | undefined;
  private closed = false;
  readonly ready: Promise<void>;

  constructor(private readonly opts: NatsLinkOptions) {
    this.ready = this.start();
    this.ready.catch(() => {});
  }

  get connection(): NatsConnection | undefined {
    return this.nc;
  }

  get connected(): boolean {
    return this.nc !== undefined && !this.nc.isClosed() && this.kv !== undefined;
  }

  private async start(): Promise<void> {
    const { logger } = this.opts;
    const nc = await connectForever(this.opts.url, this.opts.name, this.opts.credentials);
    if (this.closed) {
      await nc.close();
      throw new Error("closed");
    }
    this.nc = nc;
    logger.info({ server: nc.getServer(), bucket: this.opts.bucket }, "connected to NATS");
    this.opts.onConnect?.(nc);
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === "disconnect") logger.warn({ server: s.server }, "NATS disconnected; retrying");
        else if (s.type === "reconnect") {
          logger.info({ server: s.server }, "NATS reconnected");
          this.opts.onReconnect?.();
        }
      }
    })().catch(() => {});
    this.kv = await this.openBucket();
  }

  private async openBucket(): Promise<KV> {
    // Retries: JetStream may not be ready the instant the server accepts connections.
    for (let attempt = 0; ; attempt++) {
      try {
        return await new Kvm(this.nc!).create(this.opts.bucket, { history: 10 });
      } catch (err) {
        if (this.closed || attempt >= 40) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** The bucket, once connected; throws if not connected within `timeoutMs`. */
  async bucket(timeoutMs = 2_000): Promise<KV> {
    if (this.kv) return this.kv;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.ready,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("NATS is not connected")), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    return this.kv!;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.nc?.drain().catch(() => this.nc?.close());
  }
}
