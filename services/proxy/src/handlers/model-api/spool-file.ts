import { createWriteStream, type WriteStream } from "node:fs";
import { type FileHandle, open, rm } from "node:fs/promises";
import { Readable } from "node:stream";

/** Bytes a reader takes from the spool at a time. */
const CHUNK = 64 * 1024;

/**
 * An upload's file written to disk as it arrives, read meanwhile by any number of readers: the attempt
 * that streams it to an upstream while the client is still sending, and each failover after it. Memory
 * holds one write and one read piece per reader, whatever the file's size.
 */
export class GrowingSpool {
  /** Bytes on disk (readers go this far). */
  written = 0;
  /** Every byte is on disk: readers end at `written`. */
  done = false;
  failure: Error | undefined;
  private waiters: (() => void)[] = [];
  private readonly out: WriteStream;

  constructor(readonly path: string) {
    this.out = createWriteStream(path);
    this.out.on("error", (err) => this.fail(err));
  }

  /** Appends a piece; false: wait for `drain` before the next (the caller pauses its source). */
  write(chunk: Buffer): boolean {
    return this.out.write(chunk, (err) => {
      if (err) return;
      this.written += chunk.length;
      this.wake();
    });
  }

  onDrain(fn: () => void): void {
    this.out.once("drain", fn);
  }

  /** The file ended: resolves once every piece is on disk. */
  end(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.out.end(() => {
        if (this.failure) return reject(this.failure);
        this.done = true;
        this.wake();
        resolve();
      });
    });
  }

  /** The upload failed: readers stop with `err` (the upstream request they feed is aborted). */
  fail(err: Error): void {
    if (this.failure || this.done) return;
    this.failure = err;
    this.out.destroy();
    this.wake();
  }

  /** A reader of the file from its start, following it as it grows. */
  reader(): Readable {
    return new SpoolReader(this);
  }

  /** Resolves at the next change (bytes written, end, failure). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async remove(): Promise<void> {
    this.fail(new Error("spool removed"));
    await rm(this.path, { force: true });
  }

  private wake(): void {
    const w = this.waiters;
    if (w.length === 0) return;
    this.waiters = [];
    for (const fn of w) fn();
  }
}

/** Reads a spool from its start: what is on disk, then waits for more until the spool is done. */
class SpoolReader extends Readable {
  private pos = 0;
  private fh: FileHandle | undefined;

  constructor(private readonly spool: GrowingSpool) {
    super({ highWaterMark: CHUNK });
  }

  // Node calls `_read` again only after a push: one pump runs at a time.
  override _read(): void {
    this.pump().catch((err: Error) => this.destroy(err));
  }

  private async pump(): Promise<void> {
    const s = this.spool;
    for (;;) {
      if (this.destroyed) return;
      if (s.failure !== undefined && !s.done) return void this.destroy(s.failure);
      if (this.pos < s.written) {
        this.fh ??= await open(s.path, "r");
        const n = Math.min(CHUNK, s.written - this.pos);
        const buf = Buffer.allocUnsafe(n);
        const { bytesRead } = await this.fh.read(buf, 0, n, this.pos);
        if (bytesRead === 0) throw new Error("the audio spool is shorter than written");
        this.pos += bytesRead;
        if (!this.destroyed) this.push(bytesRead === n ? buf : buf.subarray(0, bytesRead));
        return;
      }
      if (s.done) return void this.push(null);
      await s.changed();
    }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const fh = this.fh;
    this.fh = undefined;
    if (fh === undefined) {
      cb(err);
      return;
    }
    fh.close().then(
      () => cb(err),
      () => cb(err),
    );
  }
}
