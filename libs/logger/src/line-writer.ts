import fs from "node:fs";

/** A line takes at most this many bytes per UTF-16 code unit in UTF-8. */
const MAX_BYTES_PER_UNIT = 3;

/**
 * A buffered asynchronous line writer on a file descriptor (stdout by default). Each line is encoded
 * into a byte buffer as it is written (so its string dies young and is never joined or flattened again
 * later); full buffers go out in one `writev` of up to every waiting buffer, at `highWater` bytes or
 * every `flushMs`, so a line costs no syscall of its own. If the descriptor stalls, at most
 * `maxBuffered` bytes wait; lines past that are dropped and counted.
 */
export class LineWriter {
  /** Full buffers waiting for the descriptor, oldest first. */
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  /** The buffer being filled and how much of it is. */
  private cur: Buffer;
  private used = 0;
  private writing = false;
  private timer: NodeJS.Timeout | undefined;
  /** Lines dropped because the descriptor could not keep up. */
  dropped = 0;

  constructor(
    private readonly fd = 1,
    private readonly highWater = 64 * 1024,
    private readonly flushMs = 250,
    private readonly maxBuffered = 16 * 1024 * 1024,
    /** Rewrites each line before it is buffered (readable lines on a terminal). */
    private readonly format?: (line: string) => string,
  ) {
    this.cur = Buffer.allocUnsafe(highWater);
  }

  write(raw: string): void {
    const line = this.format ? this.format(raw) : raw;
    if (this.queuedBytes + this.used > this.maxBuffered) {
      this.dropped++;
      return;
    }
    const room = line.length * MAX_BYTES_PER_UNIT;
    if (this.used + room > this.cur.length) {
      this.seal(room);
      this.flush();
    }
    this.used += this.cur.write(line, this.used);
    if (this.used >= this.highWater) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.flushMs).unref();
  }

  /** Starts writing what is buffered (unless a write is already running; it continues after it). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.writing) return;
    this.seal(0);
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.writing = true;
    this.writeAll(batch);
  }

  /** Queues the filled part of the current buffer; the next one has room for at least `room` bytes. */
  private seal(room: number): void {
    if (this.used > 0) {
      this.queue.push(this.cur.subarray(0, this.used));
      this.queuedBytes += this.used;
      this.cur = Buffer.allocUnsafe(Math.max(this.highWater, room));
      this.used = 0;
    } else if (this.cur.length < room) {
      this.cur = Buffer.allocUnsafe(room);
    }
  }

  private writeAll(batch: Buffer[]): void {
    fs.writev(this.fd, batch, (err, n) => {
      let bytes = 0;
      for (const b of batch) bytes += b.length;
      if (!err && n < bytes) {
        // A partial write: the rest goes out next, before anything queued since.
        this.queuedBytes -= n;
        return this.writeAll(remainderAfter(batch, n));
      }
      // Written, or failed (the descriptor is gone or full): either way these bytes are done with.
      this.queuedBytes -= bytes;
      this.writing = false;
      if (this.queue.length > 0 || this.used >= this.highWater) this.flush();
      else if (this.used > 0 && !this.timer) this.timer = setTimeout(() => this.flush(), this.flushMs).unref();
    });
  }

  /** Writes everything still buffered, synchronously (at exit). */
  flushSync(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.seal(0);
    const batch = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    try {
      for (const b of batch) {
        let off = 0;
        while (off < b.length) off += fs.writeSync(this.fd, b, off, b.length - off);
      }
    } catch {
      // the descriptor is gone: nothing more can be done
    }
  }
}

/** What is left of `batch` after its first `n` bytes (a partial write's remainder). */
export function remainderAfter(batch: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < batch.length && n >= (batch[i] as Buffer).length) n -= (batch[i++] as Buffer).length;
  const out = batch.slice(i);
  if (n > 0) out[0] = (out[0] as Buffer).subarray(n);
  return out;
}
