import { type Signer, storableText, type UsageRecord } from "@ai-router/contracts";
import type pg from "pg";
import { bytesText, type DeadLetter, writeDeadLetters } from "./dead-letter.js";
import type { InsertedRow } from "./insert-records.js";
import { openBatch, type RejectReason } from "./open-batch.js";
import { insertIsolating } from "./store-isolating.js";

/** One message of the usage stream, from a fetch or read back by sequence. */
export interface LedgerMessage {
  data: Uint8Array;
  subject: string;
  /** `<stream>#<sequence>`. */
  source: string;
}

/** What storing some messages did. */
export interface StoredMessages {
  /** Records the valid batches held. */
  records: UsageRecord[];
  /** Rows newly stored (a redelivered record is not). */
  rows: InsertedRow[];
  /** Stored in `usage_dead_letter`: records the schema rejects or the database refused, signed non-batches. */
  letters: DeadLetter[];
  /** Messages not signed with the master key: never stored, never dead-lettered. */
  rejected: { reason: RejectReason; message: LedgerMessage }[];
  /** Unsigned batches stored anyway (`acceptUnsigned`, a rolling upgrade). */
  unsignedAccepted: number;
}

/**
 * The writer's work on some messages of the stream: signatures checked (forged ones set apart), records
 * read one by one, stored with any row the database refuses isolated, and everything that could not be
 * stored written to `usage_dead_letter`. Nothing is lost and nothing blocks: it throws only on a
 * transient database error, and then the caller retries the same messages (everything is idempotent).
 */
export async function storeMessages(
  pool: pg.Pool,
  signer: Signer,
  messages: LedgerMessage[],
  acceptUnsigned = false,
): Promise<StoredMessages> {
  const out: StoredMessages = { records: [], rows: [], letters: [], rejected: [], unsignedAccepted: 0 };
  for (const m of messages) {
    const opened = openBatch(m.data, m.subject, signer, m.source, acceptUnsigned);
    if (opened.ok) {
      if (opened.unsigned) out.unsignedAccepted++;
      for (const r of opened.records) out.records.push(r);
      for (const l of opened.invalid) out.letters.push(l);
    } else if (opened.reason === "invalid") out.letters.push(opened.letter);
    else out.rejected.push({ reason: opened.reason, message: m });
  }
  const stored = await insertIsolating(pool, out.records);
  out.rows = stored.rows;
  for (const l of stored.refused) out.letters.push(l);
  await writeDeadLetters(pool, out.letters);
  return out;
}

/**
 * A batch the stream stopped redelivering (`usageLedger.maxDeliver` reached): stored now if it can be
 * (idempotent: a batch a writer still holds adds nothing), and the failure itself recorded as a
 * `max_deliveries` dead letter with the batch's text (once per message: its source is unique).
 */
export async function rescueMessage(pool: pg.Pool, signer: Signer, m: LedgerMessage, deliveries: number): Promise<StoredMessages> {
  const out = await storeMessages(pool, signer, [m]);
  if (out.rejected.length > 0) return out;
  const letter: DeadLetter = {
    reason: "max_deliveries",
    detail: `delivered ${deliveries} times without an acknowledgement; ${out.rows.length} of its ${out.records.length} records newly stored afterwards`,
    recordId: null,
    replica: m.subject.slice(m.subject.lastIndexOf(".") + 1),
    source: m.source,
    raw: opened(signer, m),
  };
  await writeDeadLetters(pool, [letter]);
  out.letters.push(letter);
  return out;
}

/** The batch's text without its signature (the message's bytes when it has none). */
function opened(signer: Signer, m: LedgerMessage): string {
  const v = signer.verify(m.data, m.subject);
  return v.ok ? storableText(v.payload) : bytesText(m.data);
}
