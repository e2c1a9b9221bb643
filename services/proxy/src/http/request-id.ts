import { randomFillSync } from "node:crypto";

/** Random bytes drawn in batches (one syscall for 256 ids). */
const pool = Buffer.alloc(16 * 256);
let used = pool.length;
/** The id's text, built in place. */
const text = Buffer.alloc(36);
const HEX = Buffer.from("0123456789abcdef");
/** Where each of the 16 bytes' two hex digits go (the dashes sit at 8, 13, 18 and 23). */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
text[8] = text[13] = text[18] = text[23] = 0x2d;

/**
 * A random (version 4) UUID, as `crypto.randomUUID()` gives, but built as one flat string: Node's is
 * concatenated from 20 pieces, and every header check and log line that reads it first flattens it.
 */
export function newRequestId(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const o = used;
  used += 16;
  pool[o + 6] = ((pool[o + 6] as number) & 0x0f) | 0x40; // version 4
  pool[o + 8] = ((pool[o + 8] as number) & 0x3f) | 0x80; // variant 10xx
  for (let i = 0; i < 16; i++) {
    const b = pool[o + i] as number;
    const at = AT[i] as number;
    text[at] = HEX[b >> 4] as number;
    text[at + 1] = HEX[b & 15] as number;
  }
  return text.toString("latin1", 0, 36);
}
