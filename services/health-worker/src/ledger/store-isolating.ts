import type { UsageRecord } from "@ai-router/contracts";
import type pg from "pg";
import { type DeadLetter, rawText } from "./dead-letter.js";
import { type InsertedRow, insertRecords } from "./insert-records.js";

/**
 * An error worth retrying as it is: the database is away or busy (no SQLSTATE: the connection failed;
 * classes 08 connection, 40 rollback (deadlock, serialization), 53 resources, 57 operator intervention
 * (a restart), 58 system, 55P03 lock not available). Anything else is about the data sent: the rows
 * are tried apart, and the one refused is dead-lettered.
 */
export function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return /^(08|40|53|57|58)/.test(code) || code === "55P03";
}

/** What storing a batch did. */
export interface Stored {
  rows: InsertedRow[];
  /** Records the database refused, as dead letters (not written yet). */
  refused: DeadLetter[];
  /** Statements run (1 when nothing was refused). */
  statements: number;
}

/**
 * Stores records, isolating any the database refuses: the batch is tried whole (one statement, the usual
 * case); refused, it is split in halves and each half tried, down to the single records refused, so the
 * rest is stored in at most ~2 log2(n) statements per refused record. Every statement is idempotent by
 * request id, so a half stored before a later failure is not stored twice on the retry. A transient
 * error (`isTransient`) is thrown for the caller to retry the batch.
 */
export async function insertIsolating(db: pg.Pool, records: UsageRecord[]): Promise<Stored> {
  const out: Stored = { rows: [], refused: [], statements: 0 };
  await tryPart(db, records, out);
  return out;
}

async function tryPart(db: pg.Pool, records: UsageRecord[], out: Stored): Promise<void> {
  if (records.length === 0) return;
  out.statements++;
  try {
    for (const r of await insertRecords(db, records)) out.rows.push(r);
    return;
  } catch (err) {
    if (isTransient(err)) throw err;
    if (records.length === 1) {
      const r = records[0] as UsageRecord;
      const e = err as { code?: string; message?: string };
      out.refused.push({
        reason: "refused",
        detail: `${e.code ?? "error"}: ${e.message ?? String(err)}`,
        recordId: typeof r.id === "string" ? r.id : null,
        replica: typeof r.replica === "string" ? r.replica : null,
        source: null,
        raw: rawText(r),
      });
      return;
    }
  }
  const mid = records.length >> 1;
  await tryPart(db, records.slice(0, mid), out);
  await tryPart(db, records.slice(mid), out);
}
