import { RouterError } from "@ai-router/errors";

/**
 * An answer's chunks collected to be read whole, up to `limit` bytes: past it a `truncate` collector
 * keeps the first `limit` bytes (an error body: its message is all that is read), another one fails
 * (an upstream must not make the router buffer without bound). One for `readAll` and `dispatchWhole`.
 */
export class BodyBytes {
  private readonly chunks: Buffer[] = [];
  private total = 0;

  constructor(
    private readonly limit: number,
    private readonly truncate: boolean,
  ) {}

  /**
   * Adds a chunk. Returns true while more may come; false when the limit is reached: `bytes()` is then
   * the answer (truncate), or `tooLarge()` the error.
   */
  add(chunk: Buffer): boolean {
    if (this.total + chunk.length <= this.limit) {
      this.chunks.push(chunk);
      this.total += chunk.length;
      return true;
    }
    if (this.truncate) {
      this.chunks.push(chunk.subarray(0, this.limit - this.total));
      this.total = this.limit;
    }
    return false;
  }

  bytes(): Buffer {
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.total);
  }

  /** The error of a non-truncating collector past its limit (null for a truncating one: its bytes are the answer). */
  tooLarge(): RouterError | null {
    return this.truncate ? null : new RouterError("upstream_bad_response", `The upstream answer is larger than ${this.limit} bytes.`);
  }
}
