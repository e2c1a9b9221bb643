import { kvContext, nats, openChunk, type Signer } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { type KV, type KvEntry, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectForever, type NatsCredentials } from "./connect.js";

/**
 * A validly signed table as followed: its value (a chunked table's models put back in order) and its
 * whole text, made on demand (what a disk cache keeps). Models of chunks seen before are the very
 * objects handed on last time, so a consumer can skip what it already checked (`checkRoutingTable`
 * does); consumers must not modify them.
 */
export interface FollowedTable {
  readonly value: unknown;
  /** `performance.now()` when the entry was taken up (its chunks fetched after), for timing logs. */
  readonly receivedAt: number;
  text(): string;
}

export interface TableFollowerOptions {
  natsUrl: string;
  /** NATS user/password (besides any in the URL). */
  natsCredentials?: NatsCredentials;
  bucket: string;
  /** Checks each entry's signature: an unsigned or badly signed table is logged and never handed on. */
  signer: Signer;
  logger: Logger;
  /** Client name the NATS server shows (`ai-router-proxy`, `ai-router-health-worker`). */
  name: string;
  /** Every validly signed table, where it came from (`nats:<bucket>#<seq>`) and its entry. */
  onTable: (table: FollowedTable, source: string, entry: KvEntry) => void;
  /** The table was deleted or purged from the bucket (consumers keep their last good one). */
  onDeleted?: (entry: KvEntry) => void;
  /** Called once connected (reports and subscriptions hang off the same connection). */
  onConnect?: (nc: NatsConnection) => void;
  /** Called after each safety-net re-read, changed or not. */
  onResync?: () => void;
  /** Safety-net re-read of the bucket (a missed watch update, a restarted server). Default 10 s. */
  resyncMs?: number;
  /** What consumers do while NATS is away, for the log line ("serving the last good table"). */
  whileDisconnected?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows the routing table in the JetStream KV bucket: connects in the background forever (a consumer
 * keeps working with its last good table while NATS is down), hands on the current table and then every
 * update, and re-reads the bucket after each reconnect and every `resyncMs`. It does not judge tables:
 * consumers validate what they get (`checkRoutingTable`) and keep their last good one.
 */
export class TableFollower {
  private nc: NatsConnection | undefined;
  private kv: KV | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  /** Entries are handled one at a time, in order (assembling a chunked table awaits its chunks). */
  private chain: Promise<void> = Promise.resolve();
  /**
   * Model chunks already fetched and parsed, by id (content-addressed: an id never changes meaning), so
   * a change fetches and parses only the chunks it touched.
   */
  private chunks = new Map<string, readonly unknown[]>();

  constructor(private readonly opts: TableFollowerOptions) {}

  /** The NATS connection once up. */
  get connection(): NatsConnection | undefined {
    return this.nc;
  }

  /** Connects and follows in the background. */
  start(): void {
    void this.run().catch((err) => this.opts.logger.error({ err: (err as Error).message }, "routing table follower stopped"));
  }

  private async run(): Promise<void> {
    const { logger } = this.opts;
    const nc = await connectForever(this.opts.natsUrl, this.opts.name, this.opts.natsCredentials);
    if (this.closed) return void (await nc.close());
    this.nc = nc;
    logger.info({ server: nc.getServer(), bucket: this.opts.bucket }, "connected to NATS");
    this.opts.onConnect?.(nc);
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === "disconnect") logger.warn(`NATS disconnected; ${this.opts.whileDisconnected ?? "keeping the last good table"}`);
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
          this.hand(e);
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
      if (e) this.hand(e);
      this.opts.onResync?.();
    } catch (err) {
      this.opts.logger.debug({ err: (err as Error).message }, "routing resync failed");
    }
  }

  private hand(e: KvEntry): void {
    this.chain = this.chain
      .then(() => this.handOne(e))
      .catch((err) => {
        this.opts.logger.warn({ seq: e.revision, err: (err as Error).message }, "routing table rejected; keeping the last good table");
      });
  }

  private async handOne(e: KvEntry): Promise<void> {
    const receivedAt = performance.now();
    if (e.operation !== "PUT") {
      this.opts.onDeleted?.(e);
      return;
    }
    const v = this.opts.signer.verify(e.value, kvContext(this.opts.bucket, nats.routingKey));
    if (!v.ok) {
      // A forged or stale-format table: whoever wrote it does not hold ROUTER_MASTER_KEY.
      this.opts.logger.warn({ seq: e.revision, reason: v.reason }, `routing table rejected: ${v.reason}; keeping the last good table`);
      this.opts.logger.flush();
      return;
    }
    const payload = v.payload;
    let value: unknown;
    try {
      value = JSON.parse(payload);
    } catch {
      this.opts.logger.warn(
        { seq: e.revision, bytes: payload.length },
        "routing table rejected: not valid JSON; keeping the last good table",
      );
      this.opts.logger.flush();
      return;
    }
    const head = value as { modelChunks?: unknown } | null;
    if (Array.isArray(head?.modelChunks)) {
      const whole = await this.assemble(head as Record<string, unknown>);
      let text: string | undefined;
      this.opts.onTable(
        { value: whole, receivedAt, text: () => (text ??= JSON.stringify(whole)) },
        `nats:${this.opts.bucket}#${e.revision}`,
        e,
      );
    } else {
      this.opts.onTable({ value, receivedAt, text: () => payload }, `nats:${this.opts.bucket}#${e.revision}`, e);
    }
  }

  /**
   * A chunked table (a head listing model chunks) made whole again: chunks are fetched, checked against
   * their ids and parsed once; those the head no longer lists are forgotten.
   */
  private async assemble(head: Record<string, unknown>): Promise<Record<string, unknown>> {
    const ids = head.modelChunks as unknown[];
    const models: unknown[] = [];
    const next = new Map<string, readonly unknown[]>();
    for (const id of ids) {
      if (typeof id !== "string") throw new Error("model chunk ids must be strings");
      let chunk = next.get(id) ?? this.chunks.get(id);
      if (chunk === undefined) {
        const c = await this.kv!.get(`${nats.modelChunkPrefix}${id}`);
        if (c?.operation !== "PUT") throw new Error(`model chunk ${id} is missing`);
        chunk = openChunk(id, c.string());
      }
      next.set(id, chunk);
      for (const m of chunk) models.push(m);
    }
    this.chunks = next;
    const { modelChunks: _ids, ...rest } = head;
    return Object.assign(rest, { models });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.nc?.close().catch(() => {});
  }
}
