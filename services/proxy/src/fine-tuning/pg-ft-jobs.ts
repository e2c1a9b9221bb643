import type pg from "pg";
import { FtJob, type FtJobStore } from "./ft-jobs.js";

const toJob = (r: { state: unknown }): FtJob | undefined => {
  const j = FtJob.safeParse(r.state);
  return j.success ? j.data : undefined;
};

/** Fine-tuning jobs in PostgreSQL (cluster mode; `router_ft_jobs`): every replica answers for every job. */
export class PgFtJobs implements FtJobStore {
  constructor(private readonly pool: pg.Pool) {}

  async get(id: string): Promise<FtJob | undefined> {
    const r = await this.pool.query<{ state: unknown }>("SELECT state FROM router_ft_jobs WHERE id = $1", [id]);
    return r.rows[0] && toJob(r.rows[0]);
  }

  async all(owner?: string): Promise<Map<string, FtJob>> {
    const r = await this.pool.query<{ state: unknown }>(
      owner === undefined
        ? "SELECT state FROM router_ft_jobs ORDER BY created_ms DESC"
        : "SELECT state FROM router_ft_jobs WHERE owner = $1 ORDER BY created_ms DESC",
      owner === undefined ? [] : [owner],
    );
    const out = new Map<string, FtJob>();
    for (const row of r.rows) {
      const j = toJob(row);
      if (j) out.set(j.id, j);
    }
    return out;
  }

  /** Jobs the provider has not finished (the worker's poll) and those that succeeded (routable models). */
  async byStatus(final: boolean): Promise<FtJob[]> {
    const r = await this.pool.query<{ state: unknown }>(
      `SELECT state FROM router_ft_jobs WHERE status ${final ? "=" : "NOT IN"} ${final ? "'succeeded'" : "('succeeded', 'failed', 'cancelled')"}`,
    );
    return r.rows.map(toJob).filter((j): j is FtJob => j !== undefined);
  }

  succeeded(): Promise<FtJob[]> {
    return this.byStatus(true);
  }

  async save(j: FtJob): Promise<void> {
    await this.pool.query(
      `INSERT INTO router_ft_jobs (id, owner, created_ms, status, state) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,
         -- A cancel the admin asked for and the keys a model is shared with (both set by the control plane)
         -- are never undone by a save of an older read.
         state = EXCLUDED.state || jsonb_build_object('cancel_requested',
           coalesce((router_ft_jobs.state->>'cancel_requested')::boolean, false) OR coalesce((EXCLUDED.state->>'cancel_requested')::boolean, false),
           'shared_with', coalesce(router_ft_jobs.state->'shared_with', EXCLUDED.state->'shared_with', '[]'::jsonb))`,
      [j.id, j.owner, j.created_ms, j.status, JSON.stringify(j)],
    );
  }
}
