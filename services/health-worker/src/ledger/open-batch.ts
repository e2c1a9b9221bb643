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
  | { ok: true; records: UsageRecord[]; invalid: DeadLetter[] }
  | { ok: false; reason: RejectReason }
  | { ok: false; reason: "invalid"; letter: DeadLetter };

/**
 * Opens one message of the usage stream: its signature under ROUTER_MASTER_KEY with the subject as
 * context (what `publishSigned` and the proxies' ledger publisher write), then its JSON and records.
 * Unsigned or badly signed: rejected (whoever can publish on NATS without the master key cannot charge
 * a key). Signed but not a batch: the whole message is dead-lettered.
 */
export function openBatch(data: Uint8Array, subject: string, signer: Signer, source: string): OpenedBatch {
  const v = signer.verify(data, subject);
  if (!v.ok)
    return { ok: false, reason: v.reason === "unsigned" ? "unsigned" : v.reason === "bad signature" ? "bad_signature" : "malformed" };
  let body: unknown;
  try {
    body = JSON.parse(v.payload);
  } catch {
    body = undefined;
  }
  const env = BatchEnvelope.safeParse(body);
  if (!env.success) {
    const detail = body === undefined ? "not JSON" : issues(env.error);
    return {
      ok: false,
      reason: "invalid",
      letter: { reason: "invalid", detail, recordId: null, replica: null, source, raw: storableText(v.payload) },
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
  return { ok: true, records, invalid };
}

const issues = (e: z.ZodError): string =>
  e.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".")}: ${i.message}`)
    .join("; ");
