import type { Logger } from "@ai-router/logger";
import { UsageRecordJson } from "./record-json.js";
import type { RequestRecord } from "./request-record.js";
import type { UsageSink } from "./usage-sink.js";

/** Sends one batch; resolves once the broker stored it (JetStream ack), rejects otherwise. */
export type BatchSender = (body: string, msgId: string, count: number) => Promise<void>;

export interface LedgerPublisherOptions {
  replica: string;
  logger: Logger;
  /** Records kept while the broker is unreachable; past it new records are dropped and counted (default 100,000). */
  maxBuffer?: number;
  /** Records per published message (default 200). */
  batchSize?: number;
  /** How long a partial batch waits for more records (default 50 ms). */
  lingerMs?: number;
  /** Called once per dropped record (the `usage_records_dropped_total` metric). */
  onDropped?: () => void;
}

/**
 * The proxy's side of the usage ledger: records are queued on the request path (an array push) and
 * published in small batches by a timer, one batch in flight at a time. A batch that fails stays the
 * same batch (same records, same message id) until the broker stores it, so a retry after a lost ack is
 * deduplicated by JetStream, and the writer's unique request id catches anything older. While the
 * broker is down records wait in a bounded buffer; overflow is dropped, counted and logged, never waited on.
 */
export class LedgerPublisher implements UsageSink {
  private queue: RequestRecord[] = [];
  private readonly json = new UsageRecordJson();
  private head = 0;
  private inFlight: { body: string; msgId: string; count: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private batchNo = 0;
  private failures = 0;
  private lastDropLog = 0;
  private sender: BatchSender | undefined;
  private closed = false;
  /** Records dropped because the buffer was full. */
  dropped = 0;
  /** Records the broker acknowledged. */
  published = 0;
  private readonly maxBuffer: number;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly epoch = Date.now().toString(36);

  constructor(private readonly opts: LedgerPublisherOptions) {
    this.maxBuffer = opts.maxBuffer ?? 100_000;
    this.batchSize = opts.batchSize ?? 200;
    this.lingerMs = opts.lingerMs ?? 50;
  }

  /** Records waiting (queued and in flight). */
  get pending(): number {
    return this.queue.length - this.head + (this.inFlight?.count ?? 0);
  }

  /** Where batches go; undefined while there is no broker connection (records wait). */
  setSender(sender: BatchSender | undefined): void {
    this.sender = sender;
    if (sender) this.schedule(0);
  }

  write(r: RequestRecord): void {
    if (this.pending >= this.maxBuffer) {
      this.dropped++;
      this.opts.onDropped?.();
      const now = Date.now();
      if (now - this.lastDropLog > 10_000) {
        this.lastDropLog = now;
        this.opts.logger.warn({ dropped: this.dropped, buffered: this.pending }, "usage buffer full: records dropped");
      }
      return;
    }
    this.queue.push(r);
    if (this.timer === undefined && !this.pumping) this.schedule(this.queue.length - this.head >= this.batchSize ? 0 : this.lingerMs);
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pump();
    }, ms);
    this.timer.unref();
  }

  private take(): { body: string; msgId: string; count: number } {
    const end = Math.min(this.queue.length, this.head + this.batchSize);
    const records = this.queue.slice(this.head, end);
    this.head = end;
    // Compact once the consumed part dominates (amortised O(1) a record).
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    let body = `{"replica":${JSON.stringify(this.opts.replica)},"records":[`;
    for (let i = 0; i < records.length; i++) body += (i === 0 ? "" : ",") + this.json.of(records[i] as RequestRecord);
    body += "]}";
    return { body, msgId: `${this.opts.replica}:${this.epoch}:${++this.batchNo}`, count: records.length };
  }

  /** Sends batches until the queue is empty or the broker fails (then retries with a backoff). */
  async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const send = this.sender;
        if (send === undefined) return;
        this.inFlight ??= this.queue.length > this.head ? this.take() : undefined;
        const batch = this.inFlight;
        if (batch === undefined) return;
        try {
          await send(batch.body, batch.msgId, batch.count);
        } catch (err) {
          this.failures++;
          if (this.failures === 1 || this.failures % 50 === 0) {
            this.opts.logger.warn({ err: (err as Error).message, buffered: this.pending }, "usage records not published yet; retrying");
          }
          this.pumping = false;
          this.schedule(Math.min(5_000, 100 * 2 ** Math.min(this.failures, 6)));
          return;
        }
        if (this.failures > 0) this.opts.logger.info({ buffered: this.pending }, "usage records publishing again");
        this.failures = 0;
        this.published += batch.count;
        this.inFlight = undefined;
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Publishes what is buffered, waiting at most `timeoutMs`. */
  async close(timeoutMs = 5_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.pending > 0 && this.sender !== undefined && Date.now() < until) {
      if (this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      await this.pump();
      if (this.pending > 0) await new Promise((r) => setTimeout(r, 100));
    }
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.pending > 0) this.opts.logger.warn({ lost: this.pending }, "usage records not published at shutdown");
  }
}
