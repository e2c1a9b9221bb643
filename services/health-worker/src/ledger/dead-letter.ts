import { storableText } from "@ai-router/contracts";
import type pg from "pg";

/** Why a record or message went to `usage_dead_letter` (a metric label: keep the set small). */
export type DeadLetterReason = "refused" | "invalid" | "max_deliveries";

/** One row of `usage_dead_letter`. */
export interface DeadLetter {
  reason: DeadLetterReason;
  /** What refused it: the database's message, the schema's issues, the delivery count. */
  detail: string;
  recordId: string | null;
  replica: string | null;
  /** `<stream>#<sequence>` of a message dead-lettered whole (stored once however often it is reported). */
  source: string | null;
  /** The record or message as text; made storable and cut to `RAW_MAX` here. */
  raw: string;
}

/** The longest `raw` kept (a record cut at the edge is ~1 kB; a message is at most NATS's max payload). */
export const RAW_MAX = 1 << 20;

/**
 * A value as dead-letter text: JSON with NUL and lone surrogates as `\u` escapes (`JSON.stringify`
 * writes them so), whatever the value holds; a value JSON cannot write is described instead.
 */
export function rawText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch (err) {
    return `(not JSON: ${(err as Error).message})`;
  }
}

/** The text of a message's bytes: invalid UTF-8 and NUL as U+FFFD (never refused by a text column). */
export const bytesText = (data: Uint8Array): string =>
  storableText(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8"));

const cut = (s: string | null, max: number): string | null => (s === null ? null : storableText(s.length > max ? s.slice(0, max) : s));

/**
 * Stores dead letters in one statement (arrays of text, never jsonb: the raw text is kept as it was).
 * A message already dead-lettered (same `source`) is not stored twice.
 */
export async function writeDeadLetters(db: pg.Pool | pg.PoolClient, letters: DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  const col = (f: (l: DeadLetter) => string | number | null) => letters.map(f);
  await db.query(
    `INSERT INTO usage_dead_letter (reason, detail, record_id, replica, source, raw, raw_bytes)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[])
     ON CONFLICT (source) DO NOTHING`,
    [
      col((l) => l.reason),
      col((l) => cut(l.detail, 4_096)),
      col((l) => cut(l.recordId, 256)),
      col((l) => cut(l.replica, 256)),
      col((l) => l.source),
      col((l) => cut(l.raw, RAW_MAX)),
      col((l) => Buffer.byteLength(l.raw, "utf8")),
    ],
  );
}

/** Retention: dead letters older than `cutoff` go with the ledger's rows. */
export async function deleteDeadLettersOlderThan(db: pg.Pool, cutoff: Date): Promise<number> {
  const r = await db.query("DELETE FROM usage_dead_letter WHERE at < $1", [cutoff]);
  return r.rowCount ?? 0;
}
