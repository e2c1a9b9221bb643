import { TableFollower } from "@ai-router/cluster";
import { checkRoutingTable, type RoutingTable, type RoutingTableCheck, type ServedTable, type Signer } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { NatsConnection } from "@nats-io/transport-node";

export interface TableWatcherOptions {
  natsUrl: string;
  bucket: string;
  /** Tables must carry a valid signature (ROUTER_MASTER_KEY). */
  signer: Signer;
  logger: Logger;
  /** Called with each newer valid table (never with an older one or the same revision twice). */
  onTable: (table: RoutingTable, source: string) => void;
  /** Safety-net re-read of the bucket (a missed watch update, a restarted server). */
  resyncMs?: number;
  /** Called after each re-read, changed or not (the scheduler reconciles with Redis then). */
  onResync?: () => void;
  /** Called once connected (the ledger writer pulls on the same connection). */
  onConnect?: (nc: NatsConnection) => void;
}

/**
 * Follows the routing table in the JetStream KV bucket like the proxies (the shared TableFollower), and
 * hands on each table that passes the same checks as theirs (`checkRoutingTable`): not JSON, the wrong
 * `schemaVersion`, an invalid or an older table is refused and logged. The proxy's watcher feeds its
 * TableStore (runtime build, connection pools); this one only hands the validated table on.
 */
export class TableWatcher {
  private readonly follower: TableFollower;
  private served: ServedTable | undefined;

  constructor(private readonly opts: TableWatcherOptions) {
    this.follower = new TableFollower({
      natsUrl: opts.natsUrl,
      bucket: opts.bucket,
      signer: opts.signer,
      logger: opts.logger,
      name: "ai-router-health-worker",
      whileDisconnected: "probing with the last good table",
      ...(opts.resyncMs !== undefined ? { resyncMs: opts.resyncMs } : {}),
      ...(opts.onResync ? { onResync: opts.onResync } : {}),
      ...(opts.onConnect ? { onConnect: opts.onConnect } : {}),
      onTable: (table, source) => this.apply(table.value, source),
    });
  }

  /** The NATS connection once up (reports are published on it). */
  get connection(): NatsConnection | undefined {
    return this.follower.connection;
  }

  /** Revision of the last table handed on; -1 before the first. */
  get currentRevision(): number {
    return this.served?.revision ?? -1;
  }

  start(): void {
    this.follower.start();
  }

  /** Re-reads the current table. */
  resync(): Promise<void> {
    return this.follower.resync();
  }

  private apply(value: unknown, source: string): void {
    const result = checkRoutingTable(value, this.served);
    if (!result.ok) {
      if (result.reason !== undefined)
        this.opts.logger.warn({ source, reason: result.reason }, "routing table rejected; keeping the last good table");
      return;
    }
    this.served = { revision: result.table.revision, lineage: result.table.lineage };
    this.opts.onTable(result.table, source);
  }

  close(): Promise<void> {
    return this.follower.close();
  }
}

/** Validates a table as published (JSON, then the proxies' checks). `reason` is undefined for the same revision again. */
export function parseTable(raw: string, served?: ServedTable): RoutingTableCheck {
  let input: unknown;
  try {
    input = JSON.parse(raw);
  } catch {
    return { ok: false, reason: "not valid JSON" };
  }
  return checkRoutingTable(input, served);
}
