import { type FollowedTable, TableFollower } from "@ai-router/cluster";
import { kvContext, nats, type Signer } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { NatsConnection } from "@nats-io/transport-node";
import type { TableStore } from "../routing/table-store.js";
import type { TableCache } from "./table-cache.js";

export interface WatcherOptions {
  natsUrl: string;
  bucket: string;
  store: TableStore;
  /** Checks the signature of every table (from NATS and from the disk cache). */
  signer: Signer;
  logger: Logger;
  cache?: TableCache;
  /** Safety-net re-read of the bucket (a missed watch update, a restarted server). */
  resyncMs?: number;
  /** Called once connected (stats reporting hangs off the same connection). */
  onConnect?: (nc: NatsConnection) => void;
}

/**
 * Cluster mode: keeps the TableStore in step with the routing bucket (followed by the shared
 * TableFollower). A replica serves its cached table while NATS is down; invalid, incompatible or older
 * tables are refused by the store, which keeps serving the last good one; each newly applied table is
 * written to the disk cache.
 */
export class RoutingWatcher {
  private readonly follower: TableFollower;

  constructor(private readonly opts: WatcherOptions) {
    const { logger } = opts;
    this.follower = new TableFollower({
      natsUrl: opts.natsUrl,
      bucket: opts.bucket,
      signer: opts.signer,
      logger,
      name: "ai-router-proxy",
      whileDisconnected: "serving the last good table",
      ...(opts.resyncMs !== undefined ? { resyncMs: opts.resyncMs } : {}),
      ...(opts.onConnect ? { onConnect: opts.onConnect } : {}),
      onTable: (table, source) => this.apply(table, source),
      onDeleted: (e) =>
        logger.warn({ operation: e.operation, seq: e.revision }, "routing table deleted from the bucket; keeping the last good table"),
    });
  }

  /** Applies the disk cache (if any), then connects and watches in the background. */
  start(): void {
    const { cache, store, logger, signer } = this.opts;
    const cached = cache?.read(signer.verify, kvContext(this.opts.bucket, nats.routingKey));
    if (cached?.ok) {
      const r = store.apply(cached.table, `cache:${cache!.path}`, { provisional: true });
      if (r.ok) logger.info({ revision: r.revision, path: cache!.path }, "serving the cached routing table until NATS answers");
    } else if (cached) {
      logger.warn({ path: cache!.path, reason: cached.reason }, "routing table cache ignored");
    }
    this.follower.start();
  }

  /** Re-reads the current table (after a reconnect, or on the timer). */
  resync(): Promise<void> {
    return this.follower.resync();
  }

  /** `table` is verified (and, if chunked, assembled). */
  private apply(table: FollowedTable, source: string): void {
    const { store, logger, cache } = this.opts;
    const before = store.current;
    const r = store.apply(table.value, source, { receivedAt: table.receivedAt });
    if (!r.ok) logger.flush(); // rejections are rare and operators look for them at once
    if (r.ok && store.current !== before && cache) {
      try {
        // Cached whole and signed again here (a chunked table's head alone could not boot a replica).
        cache.write(this.opts.signer.sign(table.text(), kvContext(this.opts.bucket, nats.routingKey)));
      } catch (err) {
        logger.warn({ err: (err as Error).message, path: cache.path }, "cannot write the routing table cache");
      }
    }
  }

  close(): Promise<void> {
    return this.follower.close();
  }
}
