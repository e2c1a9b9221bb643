import { storableText, type UsageRecord } from "@ai-router/contracts";
import type pg from "pg";

/** A row the insert stored (not a redelivered duplicate), with what rollups need. */
export interface InsertedRow {
  id: string;
  time: Date;
  model: string | null;
  provider: string | null;
  status: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_usd: number | null;
  latency_ms: number;
}

const COLUMNS = `id text, client_request_id text, time timestamptz, replica text, seq bigint, ingress text, endpoint text, model text, provider text,
  upstream_model text, key_id text, key_name text, stream boolean, status int, error_code text, attempts jsonb,
  prompt_tokens int, completion_tokens int, cached_tokens int, reasoning_tokens int, usage_estimated boolean,
  cost_usd float8, latency_ms float8, ttft_ms float8, tokens_per_s float8, request_bytes int, response_bytes int,
  queued_ms float8, cache_creation_tokens int, cache_saved_usd float8, cache_hit boolean, batch_id text`;
const NAMES = COLUMNS.replace(/\s+[a-z0-9]+(,|$)/g, "$1").replace(/\s+/g, " ");
/** The values inserted: a record of a release before the response cache has no `cache_hit` (false). */
const VALUES = NAMES.replace("cache_hit", "COALESCE(cache_hit, false)");

/**
 * One statement, one transaction: the batch's new rows (a request id already stored is skipped, so a
 * redelivered batch adds nothing), the spend of the client keys they were charged to (rows from before
 * a key's spend reset do not count), and each replica's ledgered spend per key (never reset). Returns
 * the rows stored. The reset test reads `c.spend_reset_at`, the updated row itself: a reset committed
 * while this statement waits for the key's row lock is seen (Postgres re-evaluates the SET on the
 * latest row version), where a column read in the FROM subquery would come from the statement's older
 * snapshot and charge pre-reset spend to the new count.
 */
const SQL = `
WITH ins AS (
  INSERT INTO usage_records (${NAMES})
  SELECT ${VALUES} FROM jsonb_to_recordset($1::jsonb) AS x(${COLUMNS})
  ON CONFLICT (id) DO NOTHING
  RETURNING id, time, replica, seq, model, provider, key_id, status, prompt_tokens, completion_tokens, cached_tokens, cost_usd, latency_ms
), spend AS (
  UPDATE client_keys c SET spent_usd = COALESCE(c.spent_usd, 0) + (
    SELECT COALESCE(SUM(x.cost), 0) FROM unnest(s.times, s.costs) AS x(t, cost)
    WHERE c.spend_reset_at IS NULL OR x.t >= c.spend_reset_at
  )
  FROM (
    SELECT i.key_id::int AS id, array_agg(i.time) AS times, array_agg(i.cost_usd) AS costs
    FROM ins i WHERE i.cost_usd > 0 AND i.key_id ~ '^[0-9]{1,9}$'
    GROUP BY 1
  ) s
  WHERE c.id = s.id
  RETURNING c.id
), rs AS (
  INSERT INTO usage_replica_spend (replica, key_id, cost_usd, at)
  SELECT replica, key_id, SUM(cost_usd), now() FROM ins WHERE key_id IS NOT NULL AND cost_usd > 0 GROUP BY replica, key_id
  ON CONFLICT (replica, key_id) DO UPDATE SET cost_usd = usage_replica_spend.cost_usd + EXCLUDED.cost_usd, at = EXCLUDED.at
  RETURNING replica
)
SELECT id, time, model, provider, status, prompt_tokens, completion_tokens, cached_tokens, cost_usd, latency_ms FROM ins`;

/** Strings as Postgres stores them: `jsonb` refuses NUL and lone surrogates (`\u0000`, `\ud800`). */
const storable = (_key: string, v: unknown): unknown => (typeof v === "string" ? storableText(v) : v);

/**
 * Writes a batch of records; idempotent by request id. Every string is made storable first (NUL and
 * lone surrogates as U+FFFD: proxies clean what clients send, this holds for any release and any
 * record); a row Postgres still refuses fails the statement (see `insertIsolating`).
 */
export async function insertRecords(db: pg.Pool | pg.PoolClient, records: UsageRecord[]): Promise<InsertedRow[]> {
  if (records.length === 0) return [];
  // Within one batch a request id may repeat (a proxy retried a batch the broker had stored): keep the first.
  const seen = new Set<string>();
  const unique = records.filter((r) => !seen.has(r.id) && seen.add(r.id));
  const res = await db.query<InsertedRow>(SQL, [JSON.stringify(unique, storable)]);
  return res.rows;
}

/** Retention: deletes rows older than `cutoff`, `batch` at a time (short transactions); returns how many. */
export async function deleteOlderThan(db: pg.Pool, cutoff: Date, batch = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await db.query(
      "DELETE FROM usage_records WHERE id IN (SELECT id FROM usage_records WHERE time < $1 ORDER BY time LIMIT $2)",
      [cutoff, batch],
    );
    total += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) < batch) return total;
  }
}
