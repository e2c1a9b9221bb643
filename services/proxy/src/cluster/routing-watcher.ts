import { nats } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { type KV, type KvEntry, Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { TableStore } from "../routing/table-store.js";
import type { TableCache } from "./table-cache.js";

export interface WatcherOptions {
  natsUrl: string;
  bucket: string;
  store: TableStore;
  logger: Logger;
  cache?: TableCache;
  /** Safety-net re-read of the bucket (a missed watch update, a restarted server). */
  resyncMs?: number;
  /** Called once connected (stats reporting hangs off the same connection). */
  onConnect?: (nc: NatsConnection) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Cluster mode: keeps the TableStore in step with the routing bucket. Connects in the background
 * forever (a replica serves its cached table while NATS is down), applies the current table, then every
 * update; re-reads the bucket after each reconnect and every `resyncMs`. Invalid, incompatible or older
 * tables are refused by the store, which keeps serving the last good one.
 */
export class RoutingWatcher {
  private nc: NatsConnection | undefined;
  private kv: KV | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: WatcherOptions) {}

  /** Applies the disk cache (if any), then connects and watches in the background. */
  start(): void {
    const { cache, store, logger } = this.opts;
    const cached = cache?.read();
    if (cached !== undefined) {
      const r = store.apply(cached, `cache:${cache!.path}`);
      if (r.ok) logger.info({ revision: r.revision, path: cache!.path }, "serving the cached routing table until NATS answers");
    }
    void this.run();
  }

  private async run(): Promise<void> {
    const { logger } = this.opts;
    const nc = await connect({
      servers: this.opts.natsUrl,
      name: "ai-router-proxy",
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 5_000,
      maxPingOut: 2,
    });
    if (this.closed) return void (await nc.close());
    this.nc = nc;
    logger.info({ server: nc.getServer(), bucket: this.opts.bucket }, "connected to NATS");
    this.opts.onConnect?.(nc);
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === "disconnect") logger.warn("NATS disconnected; serving the last good table");
        if (s.type === "reconnect") {
          logger.info("NATS reconnected; resyncing the routing table");
          void this.resync();
        }
      }
    })().catch(() => {});
    this.timer = setInterval(() => void this.resync(), this.opts.resyncMs ?? 10_000);
    this.timer.unref();
    while (!this.closed) {
      try {
        const kv = await this.bucket();
        const watch = await kv.watch({ key: nats.routingKey });
        for await (const e of watch) {
          this.applyEntry(e);
          if (this.closed) break;
        }
      } catch (err) {
        if (!this.closed) logger.warn({ err: (err as Error).message }, "routing watch interrupted; retrying");
      }
      await sleep(500);
    }
  }

  private async bucket(): Promise<KV> {
    while (!this.kv) {
      try {
        this.kv = await new Kvm(this.nc!).open(this.opts.bucket);
        await this.kv.status(); // throws if the bucket does not exist yet
      } catch {
        this.kv = undefined;
        if (this.closed) throw new Error("closed");
        await sleep(500); // the control plane creates the bucket
      }
    }
    return this.kv;
  }

  /** Re-reads the current table (after a reconnect, or on the timer). */
  async resync(): Promise<void> {
    if (!this.kv || this.closed) return;
    try {
      const e = await this.kv.get(nats.routingKey);
      if (e) this.applyEntry(e);
    } catch (err) {
      this.opts.logger.debug({ err: (err as Error).message }, "routing resync failed");
    }
  }

  private applyEntry(e: KvEntry): void {
    const { store, logger, cache } = this.opts;
    if (e.operation !== "PUT") {
      logger.warn({ operation: e.operation, seq: e.revision }, "routing table deleted from the bucket; keeping the last good table");
      return;
    }
    const raw = e.string();
    let table: unknown;
    try {
      table = JSON.parse(raw);
    } catch {
      logger.warn({ seq: e.revision, bytes: raw.length }, "routing table rejected: not valid JSON; keeping the last good table");
      logger.flush(); // rejections are rare and operators look for them at once
      return;
    }
    const before = store.current?.revision;
    const r = store.apply(table, `nats:${this.opts.bucket}#${e.revision}`);
    if (!r.ok) logger.flush(); // rejections are rare and operators look for them at once
    if (r.ok && r.revision !== before && cache) {
      try {
        cache.write(raw);
      } catch (err) {
        logger.warn({ err: (err as Error).message, path: cache.path }, "cannot write the routing table cache");
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.nc?.close().catch(() => {});
  }
}
