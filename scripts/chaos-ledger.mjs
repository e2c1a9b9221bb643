// The chaos run's usage-ledger side (issue 27): per fault, the ledger's records against the requests a
// client saw answered, and the poisoned-record and forged-batch faults.
import { randomBytes } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { createSigner, usageLedger } from "../libs/contracts/dist/index.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A pool on the chaos cluster's database (its own error handler: Postgres is one of the faults). */
export function ledgerPool(url) {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => {});
  return pool;
}

/**
 * Waits for the writer to catch up with a fault's requests (every answered request's record in the
 * ledger, or nothing new for 5 s, at most `timeoutMs`), then compares. `answered`: [{ id, replica, end }]
 * (a response reached the client: its record must be there exactly once); `unanswered`: requests that
 * got no response (a client timeout, a connection refused: a record may exist with an id the client never
 * saw); `lostOk(a)`: requests whose record may be lost (in flight on, or answered just before, a replica
 * killed with SIGKILL: its publisher's buffer goes with it).
 */
export async function checkLedger(pool, keyId, answered, unanswered, lostOk = () => false, timeoutMs = 60_000) {
  const want = new Set(answered.map((a) => a.id));
  const until = Date.now() + timeoutMs;
  let rows = [];
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() < until) {
    try {
      rows = (await pool.query("SELECT id FROM usage_records WHERE key_id = $1", [String(keyId)])).rows.map((r) => r.id);
    } catch {
      // Postgres is coming back
    }
    const found = rows.filter((id) => want.has(id)).length;
    if (found === want.size) break;
    if (rows.length !== last) {
      last = rows.length;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 5_000) break;
    await sleep(250);
  }
  const stored = new Map();
  for (const id of rows) stored.set(id, (stored.get(id) ?? 0) + 1);
  const missing = answered.filter((a) => !stored.has(a.id));
  const lost = missing.filter(lostOk);
  const doubled = [...stored.values()].filter((n) => n > 1).length;
  const extra = rows.filter((id) => !want.has(id)).length;
  const ok = missing.length === lost.length && doubled === 0 && extra <= unanswered;
  return {
    answered: answered.length,
    stored: rows.length,
    missing: missing.length - lost.length,
    lost: lost.length,
    lostAnswers: lost,
    doubled,
    extra,
    unanswered,
    ok,
  };
}

/** One ledger line of a fault's report. */
export const ledgerLine = (l) =>
  `usage records: ${l.answered} answered, ${l.stored} in the ledger, ${l.missing} missing, ${l.doubled} doubled` +
  `${l.lost ? `, ${l.lost} lost with the killed replica's buffer` : ""}` +
  `${l.extra ? `, ${l.extra} of ${l.unanswered} unanswered requests recorded` : ""}` +
  ` (${l.ok ? "exact" : "NOT exact"})`;

/**
 * The poisoned records of issue 27: model names with NUL, a lone surrogate, and one of 1.2 MB, sent to
 * both replicas with the fault's key (each a 404 whose record must reach the ledger like any other).
 */
export async function sendPoison(proxies, key) {
  const models = ["x\u0000y", "\ud800", `big-${"n".repeat(1_200_000)}`];
  const answered = [];
  let unanswered = 0;
  for (const [i, p] of proxies.entries()) {
    for (const model of models) {
      try {
        const r = await fetch(`${p.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
          signal: AbortSignal.timeout(15_000),
        });
        await r.arrayBuffer();
        answered.push({ id: r.headers.get("x-request-id"), replica: i, end: Date.now(), status: r.status });
      } catch {
        unanswered++;
      }
    }
  }
  return { answered, unanswered };
}

/**
 * Forged usage batches (issue 27, finding 5): what a process that can publish on NATS without the master
 * key can send, charging `keyId` $100 per record. Returns the forged record ids (none may be stored).
 */
export async function publishForged(natsUrl, bucket, keyId, record) {
  const nc = await connect({ servers: natsUrl });
  try {
    const js = jetstream(nc);
    const subject = usageLedger.subject(bucket, "forger");
    const ids = [];
    const batch = (tag) => {
      const id = `forged-${tag}-${randomBytes(4).toString("hex")}`;
      ids.push(id);
      return JSON.stringify({ replica: "forger", records: [record(id, String(keyId))] });
    };
    await js.publish(subject, batch("unsigned"));
    await js.publish(subject, createSigner(randomBytes(32)).sign(batch("other-key"), subject));
    return ids;
  } finally {
    await nc.close();
  }
}

/** A usage record as a proxy writes it (served, priced at $100). */
export const forgedRecord = (id, keyId) => ({
  id,
  time: new Date().toISOString(),
  replica: "forger",
  ingress: "openai-chat",
  endpoint: "chat.completions",
  model: "m",
  provider: "up-a",
  upstream_model: "gpt-4o",
  key_id: keyId,
  key_name: "forged",
  stream: false,
  status: 200,
  error_code: null,
  attempts: [],
  prompt_tokens: 1,
  completion_tokens: 1,
  cached_tokens: 0,
  reasoning_tokens: 0,
  usage_estimated: false,
  cost_usd: 100,
  latency_ms: 1,
  ttft_ms: 1,
  tokens_per_s: null,
  request_bytes: 1,
  response_bytes: 1,
  queued_ms: 0,
});

/**
 * Forged ids found in the ledger, and the key's spend against the sum of its real records (a forged
 * batch must add neither a row nor a cent).
 */
export async function forgedEffect(pool, ids, keyId) {
  const stored = (await pool.query("SELECT count(*)::int AS n FROM usage_records WHERE id = ANY($1)", [ids])).rows[0].n;
  const spent = (await pool.query("SELECT spent_usd FROM client_keys WHERE id = $1", [keyId])).rows[0]?.spent_usd ?? 0;
  const rows = (await pool.query("SELECT COALESCE(sum(cost_usd), 0) AS c FROM usage_records WHERE key_id = $1", [String(keyId)])).rows[0].c;
  return { stored, spent, rows, ok: stored === 0 && Math.abs(spent - rows) < 1e-9 };
}
