import { nats, ROUTING_TABLE_SCHEMA_VERSION, RoutingTable } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { type KV, type KvEntry, Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";

export interface TableWatcherOptions {
  natsUrl: string;
  bucket: string;
  logger: Logger;
  /** Called with each newer valid table (never with an older one or the same revision twice). */
  onTable: (table: RoutingTable, source: string) => void;
  /** Safety-net re-read of the bucket (a missed watch update, a restarted server). */
  resyncMs?: number;
  /** Called after each re-read, changed or not (the scheduler reconciles with Redis then). */
  onResync?: () => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows the routing table in the JetStream KV bucket the way the proxies do (services/proxy
 * `RoutingWatcher`): connects in the background forever, applies the current table and every update,
 * re-reads after each reconnect and every `resyncMs`, and refuses a table that is not JSON, fails the
 * schema, has another `schemaVersion` or is not newer than the last one. The proxy's watcher feeds its
 * TableStore (runtime build, connection pools); this one only hands the validated table on.
 */
export class TableWatcher {
  private nc: NatsConnection | undefined;
  private kv: KV | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private revision = -1;

  constructor(private readonly opts: TableWatcherOptions) {}

  /** The NATS connection once up (reports are published on it). */
  get connection(): NatsConnection | undefined {
    return this.nc;
  }

  /** Revision of the last table handed on; -1 before the first. */
  get currentRevision(): number {
    return this.revision;
  }

  start(): void {
    void this.run().catch((err) => this.opts.logger.error({ err: (err as Error).message }, "routing watcher stopped"));
  }

  private async run(): Promise<void> {
    const { logger } = this.opts;
    const nc = await connect({
      servers: this.opts.natsUrl,
      name: "ai-router-health-worker",
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 5_000,
      maxPingOut: 2,
    });
    if (this.closed) return void (await nc.close());
    this.nc = nc;
    logger.info({ server: nc.getServer(), bucket: this.opts.bucket }, "connected to NATS");
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === "disconnect") logger.warn("NATS disconnected; probing with the last good table");
        if (s.type === "reconnect") void this.resync();
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

  /** Re-reads the current table. */
  async resync(): Promise<void> {
    if (!this.kv || this.closed) return;
    try {
      const e = await this.kv.get(nats.routingKey);
      if (e) this.applyEntry(e);
      this.opts.onResync?.();
    } catch (err) {
      this.opts.logger.debug({ err: (err as Error).message }, "routing resync failed");
    }
  }

  private applyEntry(e: KvEntry): void {
    const { logger, bucket } = this.opts;
    if (e.operation !== "PUT") return;
    const source = `nats:${bucket}#${e.revision}`;
    const result = parseTable(e.string(), this.revision);
    if (!result.ok) {
      if (result.reason !== undefined)
        logger.warn({ source, reason: result.reason }, "routing table rejected; keeping the last good table");
      return;
    }
    this.revision = result.table.revision;
    this.opts.onTable(result.table, source);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.nc?.close().catch(() => {});
  }
}

/** Validates a table as published. `reason` is undefined for the same revision again (nothing to say). */
export function parseTable(raw: string, servedRevision: number): { ok: true; table: RoutingTable } | { ok: false; reason?: string } {
  let input: unknown;
  try {
    input = JSON.parse(raw);
  } catch {
    return { ok: false, reason: "not valid JSON" };
  }
  const version = (input as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== ROUTING_TABLE_SCHEMA_VERSION) {
    return { ok: false, reason: `unsupported schemaVersion ${JSON.stringify(version)} (this build reads ${ROUTING_TABLE_SCHEMA_VERSION})` };
  }
  const parsed = RoutingTable.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `invalid routing table: ${parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ")}`,
    };
  }
  if (parsed.data.revision === servedRevision) return { ok: false };
  if (parsed.data.revision < servedRevision) {
    return { ok: false, reason: `revision ${parsed.data.revision} is older than the served revision ${servedRevision}` };
  }
  return { ok: true, table: parsed.data };
}
