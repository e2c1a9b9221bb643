import { ensureUsageStream } from "@ai-router/cluster";
import { type Signer, usageLedger } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { type JsMsg, jetstream } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Redis } from "ioredis";
import type pg from "pg";
import { bytesText, type DeadLetter, type DeadLetterReason, writeDeadLetters } from "./dead-letter.js";
import type { InsertedRow } from "./insert-records.js";
import { rescueMaxDelivered } from "./max-deliveries.js";
import type { RejectReason } from "./open-batch.js";
import { addRollups } from "./rollups.js";
import { isTransient } from "./store-isolating.js";
import { type LedgerMessage, rescueMessage, type StoredMessages, storeMessages } from "./store-messages.js";

export interface LedgerWriterOptions {
  pool: pg.Pool;
  redis: Redis;
  bucket: string;
  logger: Logger;
  /** Checks every batch's signature (ROUTER_MASTER_KEY): an unsigned or forged batch is never stored. */
  signer: Signer;
  /** Messages (batches of records) per fetch (default 20). */
  fetchMessages?: number;
  /** Rows written (metric). */
  onWritten?: (rows: number, lagSeconds: number) => void;
  /** A batch rejected unread (metric). */
  onRejected?: (reason: RejectReason) => void;
  /** Until this time (ms) unsigned batches are stored too: a rolling upgrade from unsigned proxies. */
  acceptUnsignedUntil?: number;
  /** Unsigned batches stored under `acceptUnsignedUntil` (metric). */
  onUnsignedAccepted?: (n: number) => void;
  /** Records or messages stored in `usage_dead_letter` (metric). */
  onDeadLetters?: (reason: DeadLetterReason, n: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The ledger writer: pulls batches from the usage stream with the shared durable consumer, checks their
 * signatures, writes them to Postgres idempotently and acknowledges only after the commit. A crash
 * between commit and ack redelivers the batch, which then adds nothing (request ids are unique). A record
 * the database refuses or the schema rejects goes to `usage_dead_letter` and the rest is stored; an
 * outage of Postgres is retried in place (the batch kept in progress, so it costs no delivery). Rows
 * newly stored also go to the per-minute Redis rollups.
 */
export class LedgerWriter {
  private stopped = false;
  private running: Promise<void> | undefined;
  private nc: NatsConnection | undefined;
  private advisories: Subscription | undefined;
  private lastRejectLog = 0;
  private rejectedSinceLog = 0;
  /** Rows stored since start. */
  written = 0;
  /** Seconds between the newest stored record's end and its commit. */
  lagSeconds = 0;

  constructor(private readonly opts: LedgerWriterOptions) {}

  /** Starts pulling on `nc` (the worker's NATS connection); the loop survives disconnects. */
  start(nc: NatsConnection): void {
    this.nc = nc;
    this.advisories ??= rescueMaxDelivered(nc, this.opts.bucket, this.opts.logger, async (m, deliveries) => {
      void this.rollups(this.account(await rescueMessage(this.opts.pool, this.opts.signer, m, deliveries)));
    });
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
          // One message (waiting up to 1 s), then as many as were waiting behind it. Each fetch is read to
          // its end: leaving one early drops what the pull already had on the way (redelivered only after
          // ack_wait, 10 s later, a delivery spent).
          const batch: JsMsg[] = [];
          for await (const m of await consumer.fetch({ max_messages: 1, expires: 1_000 })) batch.push(m);
          const waiting = Math.min(batch[0]?.info.pending ?? 0, (this.opts.fetchMessages ?? 20) - 1);
          if (waiting > 0) for await (const m of await consumer.fetch({ max_messages: waiting, expires: 1_000 })) batch.push(m);
          if (batch.length > 0) await this.write(batch);
          if (failures > 0) logger.info("ledger writer running again");
          failures = 0;
        }
      } catch (err) {
        if (this.stopped) return;
        failures++;
        if (failures === 1 || failures % 20 === 0) logger.warn({ err: (err as Error).message }, "ledger writer waiting (NATS)");
        await sleep(Math.min(5_000, 200 * failures));
      }
    }
  }

  private async write(batch: JsMsg[]): Promise<void> {
    const stream = usageLedger.stream(this.opts.bucket);
    const messages = batch.map((m) => ({ data: m.data, subject: m.subject, source: `${stream}#${m.seq}` }));
    // Postgres away: retried here, the batch kept in progress (no redelivery, no delivery counted).
    let rows: InsertedRow[];
    for (let attempt = 1; ; attempt++) {
      try {
        const acceptUnsigned = Date.now() < (this.opts.acceptUnsignedUntil ?? 0);
        rows = this.account(await storeMessages(this.opts.pool, this.opts.signer, messages, acceptUnsigned));
        break;
      } catch (err) {
        if (this.stopped) {
          for (const m of batch) m.nak();
          return;
        }
        // Not the database being away and still failing: never hold the stream for it.
        if (!isTransient(err) && attempt >= 10 && (await this.deadLetterWhole(messages, err))) {
          rows = [];
          break;
        }
        if (attempt === 1 || attempt % 20 === 0)
          this.opts.logger.warn({ err: (err as Error).message, attempt }, "ledger writer waiting (Postgres)");
        for (const m of batch) m.working();
        await sleep(Math.min(5_000, 200 * attempt));
      }
    }
    // Committed: acknowledge (a crash before this redelivers the batch, which then adds nothing).
    for (const m of batch) m.ack();
    await this.rollups(rows);
  }

  /** Messages that failed ten times for a reason other than an outage, dead-lettered whole. */
  private async deadLetterWhole(messages: LedgerMessage[], err: unknown): Promise<boolean> {
    const letters: DeadLetter[] = messages.map((m) => ({
      reason: "invalid",
      detail: `not stored after 10 tries: ${(err as Error).message}`,
      recordId: null,
      replica: m.subject.slice(m.subject.lastIndexOf(".") + 1),
      source: m.source,
      raw: bytesText(m.data),
    }));
    try {
      await writeDeadLetters(this.opts.pool, letters);
    } catch {
      return false;
    }
    this.deadLettered(letters);
    return true;
  }

  /** Metrics and log lines of what was stored; returns the rows newly stored. */
  private account(out: StoredMessages): InsertedRow[] {
    const { records, rows, letters, rejected } = out;
    for (const r of rejected) this.rejected(r.reason, r.message);
    if (out.unsignedAccepted > 0) this.opts.onUnsignedAccepted?.(out.unsignedAccepted);
    this.deadLettered(letters);
    this.written += rows.length;
    const newest = records.reduce((t, r) => Math.max(t, Date.parse(r.time) + r.latency_ms), 0);
    if (newest > 0 && Number.isFinite(newest)) this.lagSeconds = Math.max(0, (Date.now() - newest) / 1000);
    this.opts.onWritten?.(rows.length, this.lagSeconds);
    return rows;
  }

  /** Rows newly stored -> the per-minute Redis rollups (after the ack: Redis away never holds a batch). */
  private async rollups(rows: InsertedRow[]): Promise<void> {
    try {
      await addRollups(this.opts.redis, this.opts.bucket, rows);
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, "usage rollups not updated (the ledger has the rows)");
    }
  }

  private deadLettered(letters: DeadLetter[]): void {
    if (letters.length === 0) return;
    const by = new Map<DeadLetterReason, number>();
    for (const l of letters) by.set(l.reason, (by.get(l.reason) ?? 0) + 1);
    for (const [reason, n] of by) this.opts.onDeadLetters?.(reason, n);
    const first = letters[0] as DeadLetter;
    this.opts.logger.error(
      {
        deadLettered: letters.length,
        reason: first.reason,
        detail: first.detail.slice(0, 300),
        recordId: first.recordId,
        replica: first.replica,
      },
      "usage records dead-lettered (see usage_dead_letter); the rest of the batch is stored",
    );
  }

  /** An unsigned or forged batch: counted, logged at most every 10 s, never stored. */
  private rejected(reason: RejectReason, m: LedgerMessage): void {
    this.opts.onRejected?.(reason);
    this.rejectedSinceLog++;
    const now = Date.now();
    if (now - this.lastRejectLog < 10_000) return;
    this.opts.logger.warn(
      { reason, subject: m.subject.slice(0, 200), bytes: m.data.length, rejected: this.rejectedSinceLog },
      "usage batch rejected: not signed with ROUTER_MASTER_KEY (nothing stored)",
    );
    this.lastRejectLog = now;
    this.rejectedSinceLog = 0;
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.advisories?.unsubscribe();
    await this.running;
  }
}
