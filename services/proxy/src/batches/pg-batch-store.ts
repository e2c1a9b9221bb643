import type pg from "pg";
import { BatchState, type BatchStore } from "./batch-state.js";

/** Results read per query while a batch's results are walked (never all of a 50,000-line batch at once). */
const PAGE = 1000;

const toState = (r: { state: unknown }): BatchState | undefined => {
  const b = BatchState.safeParse(r.state);
  return b.success ? b.data : undefined;
};

/**
 * Batches in PostgreSQL (cluster mode; `router_batches`, `router_batch_results`, migration
 * 20261207170000_offline_cluster): every proxy replica answers for every batch, and the health worker
 * that runs it resumes after a crash. A finished line is one row, unique per (batch, custom_id): a line
 * sent twice (a worker killed mid-line, or two workers after a stalled lock) is kept once.
 */
export class PgBatchStore implements BatchStore {
  constructor(private readonly pool: pg.Pool) {}

  async save(b: BatchState): Promise<void> {
    // A progress save (in_progress) never undoes a cancel that another process saved meanwhile, and a
    // final batch never leaves its status (a cancel read before the worker completed it changes nothing).
    await this.pool.query(
      `INSERT INTO router_batches (id, owner, created_ms, status, state) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET
         status = CASE WHEN router_batches.status = 'cancelling' AND EXCLUDED.status = 'in_progress' THEN 'cancelling' ELSE EXCLUDED.status END,
         state = CASE WHEN router_batches.status = 'cancelling' AND EXCLUDED.status = 'in_progress'
           THEN EXCLUDED.state || jsonb_build_object('status', 'cancelling', 'cancelling_at', router_batches.state->'cancelling_at')
           ELSE EXCLUDED.state END
       WHERE router_batches.status NOT IN ('failed', 'completed', 'expired', 'cancelled') OR router_batches.status = EXCLUDED.status`,
      [b.id, b.owner, b.created_ms ?? b.created_at * 1000, b.status, JSON.stringify(b)],
    );
  }

  async get(id: string): Promise<BatchState | undefined> {
    const r = await this.pool.query<{ state: unknown }>("SELECT state FROM router_batches WHERE id = $1", [id]);
    return r.rows[0] && toState(r.rows[0]);
  }

  async list(owner: string | undefined, after: string | undefined, limit: number): Promise<BatchState[]> {
    const args: unknown[] = [];
    const where: string[] = [];
    if (owner !== undefined) where.push(`owner = $${args.push(owner)}`);
    if (after !== undefined) {
      const at = `(SELECT created_ms FROM router_batches WHERE id = $${args.push(after)})`;
      where.push(`(created_ms, id) < (${at}, $${args.length})`);
    }
    const r = await this.pool.query<{ state: unknown }>(
      `SELECT state FROM router_batches ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY created_ms DESC, id DESC LIMIT $${args.push(limit + 1)}`,
      args,
    );
    return r.rows.map(toState).filter((b): b is BatchState => b !== undefined);
  }

  async unfinished(): Promise<BatchState[]> {
    const r = await this.pool.query<{ state: unknown }>(
      "SELECT state FROM router_batches WHERE status NOT IN ('failed', 'completed', 'expired', 'cancelled') ORDER BY created_ms",
    );
    return r.rows.map(toState).filter((b): b is BatchState => b !== undefined);
  }

  async appendResult(id: string, line: string): Promise<void> {
    const customId = (JSON.parse(line) as { custom_id: string }).custom_id;
    await this.pool.query(
      "INSERT INTO router_batch_results (batch_id, custom_id, line) VALUES ($1, $2, $3) ON CONFLICT (batch_id, custom_id) DO NOTHING",
      [id, customId, line],
    );
  }

  async dropResults(id: string): Promise<void> {
    await this.pool.query("DELETE FROM router_batch_results WHERE batch_id = $1", [id]);
  }

  async remove(id: string): Promise<void> {
    await this.pool.query("DELETE FROM router_batches WHERE id = $1", [id]);
    await this.dropResults(id);
  }

  async *results(id: string): AsyncIterable<string> {
    let from = 0n;
    for (;;) {
      const r = await this.pool.query<{ seq: string; line: string }>(
        "SELECT seq, line FROM router_batch_results WHERE batch_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        [id, from.toString(), PAGE],
      );
      for (const row of r.rows) yield row.line;
      if (r.rows.length < PAGE) return;
      from = BigInt((r.rows.at(-1) as { seq: string }).seq);
    }
  }
}
