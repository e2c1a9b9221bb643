import { recordText } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { UsageRecordJson } from "./record-json.js";
import type { RequestRecord } from "./request-record.js";
import type { UsageSink } from "./usage-sink.js";

/** Sends one batch; resolves once the broker stored it (JetStream ack), rejects otherwise. */
export type BatchSender = (body: string, msgId: string, count: number) => Promise<void>;

/** A batch taken from the queue: its records are kept until the broker stored it (a re-split needs them). */
interface Batch {
  body: string;
  msgId: string;
  count: number;
  records: RequestRecord[];
}

/** The broker refused a message over its max payload (a server whose limit went down since the connect). */
const TOO_BIG = /max.?payload/i;
/** Room left for the signature and the message headers under the server's max payload. */
export const PAYLOAD_MARGIN = 4_096;
/** Batches are never cut below this (a server refusing 64 KiB refuses a record, which is then dropped). */
const MIN_BYTES = 64 * 1024;

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

/** A record too big for any batch, as a copy with its text fields cut to the bound of names (`recordText`). */
function shrunk(r: RequestRecord): RequestRecord {
  const cut = (s: string | null) => (s === null ? null : recordText(s));
  return Object.assign(Object.create(Object.getPrototypeOf(r)) as RequestRecord, r, {
    replica: recordText(r.replica),
    ingress: recordText(r.ingress),
    endpoint: recordText(r.endpoint),
    model: r.model === undefined ? undefined : recordText(r.model),
    provider: cut(r.provider),
    upstreamModel: cut(r.upstreamModel),
    keyId: cut(r.keyId),
    key: cut(r.key),
    errorCode: cut(r.errorCode),
    attempts: r.attempts
      .slice(0, 20)
      .map((a) =>
        Object.assign({}, a, { provider: recordText(a.provider), upstreamModel: recordText(a.upstreamModel), errorCode: cut(a.errorCode) }),
      ),
  });
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
  private inFlight: Batch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private batchNo = 0;
  private failures = 0;
  private lastDropLog = 0;
  private sender: BatchSender | undefined;
  private closed = false;
  /** Records dropped because the buffer was full, or too big for a message even shrunk. */
  dropped = 0;
  /** Records whose text fields were cut to fit a message. */
  shrunk = 0;
  /** The largest body a batch may have (the server's max payload less `PAYLOAD_MARGIN`). */
  private maxBytes = 1024 * 1024 - PAYLOAD_MARGIN;
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

  /**
   * Where batches go; undefined while there is no broker connection (records wait). `maxPayload`: the
   * server's limit on a message (its INFO `max_payload`); every batch stays under it with a margin.
   */
  setSender(sender: BatchSender | undefined, maxPayload?: number): void {
    this.sender = sender;
    if (maxPayload !== undefined && maxPayload > 2 * PAYLOAD_MARGIN) this.maxBytes = maxPayload - PAYLOAD_MARGIN;
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

  /**
   * The next batch: up to `batchSize` records and never over `maxBytes` (UTF-8). A record too big alone
   * is shrunk (text fields cut), and dropped with a log line and the drop metric if even that is too big:
   * one record must never hold the queue.
   */
  private take(): Batch | undefined {
    const head = `{"replica":${JSON.stringify(this.opts.replica)},"records":[`;
    let body = head;
    let bytes = Buffer.byteLength(head) + 2;
    const records: RequestRecord[] = [];
    while (this.head < this.queue.length && records.length < this.batchSize) {
      let r = this.queue[this.head] as RequestRecord;
      let json = this.json.of(r);
      let size = Buffer.byteLength(json) + 1;
      if (bytes + size > this.maxBytes && records.length > 0) break;
      if (bytes + size > this.maxBytes) {
        r = shrunk(r);
        json = this.json.of(r);
        size = Buffer.byteLength(json) + 1;
        this.shrunk++;
        this.opts.logger.warn(
          { id: r.recordId, bytes: size, maxBytes: this.maxBytes },
          "usage record over the message size: text fields cut",
        );
        if (bytes + size > this.maxBytes) {
          this.head++;
          this.dropped++;
          this.opts.onDropped?.();
          this.opts.logger.error({ id: r.recordId, bytes: size }, "usage record dropped: over the message size even cut");
          continue;
        }
      }
      this.head++;
      body += (records.length === 0 ? "" : ",") + json;
      bytes += size;
      records.push(r);
    }
    // Compact once the consumed part dominates (amortised O(1) a record).
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (records.length === 0) return undefined;
    body += "]}";
    return { body, msgId: `${this.opts.replica}:${this.epoch}:${++this.batchNo}`, count: records.length, records };
  }

  /** A batch the broker refused as too big: its records go back to the front, in smaller batches. */
  private splitAgain(batch: Batch): void {
    this.inFlight = undefined;
    if (batch.count === 1 && this.maxBytes <= MIN_BYTES) {
      this.dropped++;
      this.opts.onDropped?.();
      this.opts.logger.error(
        { id: batch.records[0]?.recordId, bytes: batch.body.length },
        "usage record dropped: the server refuses it as too big",
      );
      return;
    }
    this.maxBytes = Math.max(MIN_BYTES, Math.min(this.maxBytes, Buffer.byteLength(batch.body)) >> 1);
    this.queue = batch.records.concat(this.queue.slice(this.head));
    this.head = 0;
    this.opts.logger.warn({ records: batch.count, maxBytes: this.maxBytes }, "usage batch over the server's max payload: split");
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
          if (TOO_BIG.test((err as Error).message)) {
            this.splitAgain(batch);
            continue;
          }
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
