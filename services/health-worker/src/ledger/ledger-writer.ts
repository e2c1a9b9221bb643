import { ensureUsageStream } from "@ai-router/cluster";
import { UsageBatch, type UsageRecord, usageLedger } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { type JsMsg, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Redis } from "ioredis";
import type pg from "pg";
import { insertRecords } from "./insert-records.js";
import { addRollups } from "./rollups.js";

export interface LedgerWriterOptions {
  pool: pg.Pool;
  redis: Redis;
  bucket: string;
  logger: Logger;
  /** Messages (batches of records) per fetch (default 20). */
  fetchMessages?: number;
  /** Rows written (metric). */
  onWritten?: (rows: number, lagSeconds: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The ledger writer: pulls batches from the usage stream with the shared durable consumer, writes
 * them to Postgres in one idempotent statement, and acknowledges only after the commit. A crash
 * between commit and ack redelivers the batch, which then adds nothing (request ids are unique). Rows
 * newly stored also go to the per-minute Redis rollups.
 */
export class LedgerWriter {
  private stopped = false;
  private running: Promise<void> | undefined;
  private nc: NatsConnection | undefined;
  /** Rows stored since start. */
  written = 0;
  /** Seconds between the newest stored record's end and its commit. */
  lagSeconds = 0;

  constructor(private readonly opts: LedgerWriterOptions) {}

  /** Starts pulling on `nc` (the worker's NATS connection); the loop survives disconnects. */
  start(nc: NatsConnection): void {
    this.nc = nc;
    this.running ??= this.loop().catch((err) => this.opts.logger.error({ err: (err as Error).message }, "ledger writer stopped"));
  }

  private async loop(): Promise<void> {
    const { bucket, logger } = this.opts;
    const nc = this.nc!;
    let failures = 0;
    while (!this.stopped) {
      try {
        await ensureUsageStream(nc, bucket);
        const consumer = await jetstream(nc).consumers.get(usageLedger.stream(bucket), usageLedger.consumer);
        while (!this.stopped) {
          const msgs = await consumer.fetch({ max_messages: this.opts.fetchMessages ?? 20, expires: 1_000 });
          const batch: JsMsg[] = [];
          for await (const m of msgs) {
            batch.push(m);
            // Nothing more waiting: write now rather than at the end of the fetch window.
            if (m.info.pending === 0) break;
          }
          if (batch.length > 0) await this.write(batch);
          if (failures > 0) logger.info("ledger writer running again");
          failures = 0;
        }
      } catch (err) {
        if (this.stopped) return;
        failures++;
        if (failures === 1 || failures % 20 === 0) logger.warn({ err: (err as Error).message }, "ledger writer waiting (NATS or Postgres)");
        await sleep(Math.min(5_000, 200 * failures));
      }
    }
  }

  private async write(batch: JsMsg[]): Promise<void> {
    const records: UsageRecord[] = [];
    const good: JsMsg[] = [];
    for (const m of batch) {
      let parsed: UsageBatch | undefined;
      try {
        const r = UsageBatch.safeParse(m.json());
        if (r.success) parsed = r.data;
      } catch {
        // not JSON
      }
      if (!parsed) {
        this.opts.logger.warn({ subject: m.subject, bytes: m.data.length }, "malformed usage batch dropped");
        m.term();
        continue;
      }
      records.push(...parsed.records);
      good.push(m);
    }
    let rows: Awaited<ReturnType<typeof insertRecords>>;
    try {
      rows = await insertRecords(this.opts.pool, records);
    } catch (err) {
      // Not committed: the broker redelivers after a short delay.
      for (const m of good) m.nak(1_000);
      throw err;
    }
    // Committed: acknowledge (a crash before this redelivers the batch, which then adds nothing).
    for (const m of good) m.ack();
    this.written += rows.length;
    const newest = records.reduce((t, r) => Math.max(t, Date.parse(r.time) + r.latency_ms), 0);
    if (newest > 0) this.lagSeconds = Math.max(0, (Date.now() - newest) / 1000);
    this.opts.onWritten?.(rows.length, this.lagSeconds);
    try {
      await addRollups(this.opts.redis, this.opts.bucket, rows);
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, "usage rollups not updated (the ledger has the rows)");
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}
