import { type Signer, storableText, UsageRecord } from "@ai-router/contracts";
import { z } from "zod";
import { type DeadLetter, rawText } from "./dead-letter.js";

/**
 * A batch as read: the envelope only, records one by one, so one record that fails the schema is
 * dead-lettered and the others stored (a strict array would drop the whole batch). Unknown fields are
 * ignored (a newer proxy's batch).
 */
const BatchEnvelope = z.object({ replica: z.string(), records: z.array(z.unknown()) });

/** Why a batch was not taken at all (a metric label): never stored, never dead-lettered. */
export type RejectReason = "unsigned" | "bad_signature" | "malformed";

export type OpenedBatch =
  | { ok: true; records: UsageRecord[]; invalid: DeadLetter[]; unsigned?: true }
  | { ok: false; reason: RejectReason }
  | { ok: false; reason: "invalid"; letter: DeadLetter };

/**
 * Opens one message of the usage stream: its signature under ROUTER_MASTER_KEY with the subject as
 * context (what `publishSigned` and the proxies' ledger publisher write), then its JSON and records.
 * Unsigned or badly signed: rejected (whoever can publish on NATS without the master key cannot charge
 * a key), unless `acceptUnsigned` (a rolling upgrade: `LEDGER_ACCEPT_UNSIGNED_UNTIL`). Signed but not a
 * batch: the whole message is dead-lettered.
 */
export function openBatch(data: Uint8Array, subject: string, signer: Signer, source: string, acceptUnsigned = false): OpenedBatch {
  const v = signer.verify(data, subject);
  const unsigned = !v.ok && v.reason === "unsigned" && acceptUnsigned;
  if (!v.ok && !unsigned) {
    return { ok: false, reason: v.reason === "unsigned" ? "unsigned" : v.reason === "bad signature" ? "bad_signature" : "malformed" };
  }
  const payload = v.ok ? v.payload : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    body = undefined;
  }
  const env = BatchEnvelope.safeParse(body);
  if (!env.success) {
    const detail = body === undefined ? "not JSON" : issues(env.error);
    return {
      ok: false,
      reason: "invalid",
      letter: { reason: "invalid", detail, recordId: null, replica: null, source, raw: storableText(payload) },
    };
  }
  const records: UsageRecord[] = [];
  const invalid: DeadLetter[] = [];
  for (const raw of env.data.records) {
    const r = UsageRecord.safeParse(raw);
    if (r.success) records.push(r.data);
    else {
      const id = (raw as { id?: unknown } | null)?.id;
      invalid.push({
        reason: "invalid",
        detail: issues(r.error),
        recordId: typeof id === "string" ? id : null,
        replica: env.data.replica,
        source: null,
        raw: rawText(raw),
      });
    }
  }
  return unsigned ? { ok: true, records, invalid, unsigned } : { ok: true, records, invalid };
}

const issues = (e: z.ZodError): string =>
  e.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".")}: ${i.message}`)
    .join("; ");
