import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePool, createTestDatabase, testPool } from "../../control-plane/test/test-database.js";
import type { BatchState } from "../src/batches/batch-state.js";
import { PgBatchStore } from "../src/batches/pg-batch-store.js";
import { FtJob } from "../src/fine-tuning/ft-jobs.js";
import { PgFtJobs } from "../src/fine-tuning/pg-ft-jobs.js";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
let store: PgBatchStore;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = testPool(db.url, 4);
  store = new PgBatchStore(pool);
}, 60_000);
afterAll(async () => {
  await closePool(pool);
  await db?.drop();
});

const batch = (id: string, over: Partial<BatchState> = {}): BatchState => ({
  id,
  owner: "7",
  endpoint: "/v1/chat/completions",
  input_file_id: "file-in",
  completion_window: "24h",
  status: "in_progress",
  planned_output_id: "file-out",
  planned_error_id: "file-err",
  output_file_id: null,
  error_file_id: null,
  created_at: 1,
  created_ms: 1000,
  in_progress_at: 1,
  expires_at: 86_401,
  finalizing_at: null,
  completed_at: null,
  failed_at: null,
  expired_at: null,
  cancelling_at: null,
  cancelled_at: null,
  request_counts: { total: 0, completed: 0, failed: 0 },
  metadata: null,
  native: null,
  errors: null,
  budget_hold: null,
  ...over,
});

describe("batches in PostgreSQL, written by several processes", () => {
  it("keeps a custom_id once, whoever appends it how often", async () => {
    const line = (n: number) =>
      JSON.stringify({ id: `r${n}`, custom_id: "same", response: null, error: { code: "x", message: String(n) } });
    await Promise.all([1, 2, 3].map((n) => store.appendResult("batch_a", line(n))));
    await store.appendResult("batch_a", JSON.stringify({ id: "r9", custom_id: "other", response: null, error: null }));
    const got: string[] = [];
    for await (const l of store.results("batch_a")) got.push(JSON.parse(l).custom_id);
    expect(got.sort()).toEqual(["other", "same"]);
  });

  it("a progress save never undoes a cancel, and a final batch never leaves its status", async () => {
    await store.save(batch("batch_b"));
    await store.save(batch("batch_b", { status: "cancelling", cancelling_at: 5 }));
    // The runner's counts, read before the cancel: saved, but the batch stays cancelling.
    await store.save(batch("batch_b", { request_counts: { total: 9, completed: 4, failed: 0 } }));
    expect(await store.get("batch_b")).toMatchObject({ status: "cancelling", cancelling_at: 5, request_counts: { completed: 4 } });
    await store.save(batch("batch_b", { status: "cancelled", cancelled_at: 6 }));
    // A cancel read before the batch ended changes nothing.
    await store.save(batch("batch_b", { status: "cancelling" }));
    expect(await store.get("batch_b")).toMatchObject({ status: "cancelled", cancelled_at: 6 });
    expect((await store.unfinished()).map((b) => b.id)).not.toContain("batch_b");
  });

  it("forgets a batch and its results", async () => {
    await store.save(batch("batch_gone", { status: "completed" }));
    await store.appendResult("batch_gone", JSON.stringify({ id: "r1", custom_id: "x", response: null, error: null }));
    await store.remove("batch_gone");
    expect(await store.get("batch_gone")).toBeUndefined();
    const left: string[] = [];
    for await (const l of store.results("batch_gone")) left.push(l);
    expect(left).toEqual([]);
  });
});

describe("fine-tuning jobs in PostgreSQL", () => {
  it("a save of an older read never undoes the keys the control plane shared the model with", async () => {
    const jobs = new PgFtJobs(pool);
    const job = FtJob.parse({
      id: "ftjob-share",
      owner: "7",
      model: "base",
      provider: "p",
      upstream_id: "up-1",
      training_file: "file-t",
      validation_file: null,
      files: {},
      created_ms: 1000,
      status: "succeeded",
      fine_tuned_model: "ft:base:x",
    });
    await jobs.save(job);
    const stale = await jobs.get(job.id);
    // The control plane's share (offline-sharing.ts): only this field, in SQL.
    await pool.query("UPDATE router_ft_jobs SET state = jsonb_set(state, '{shared_with}', $2::jsonb) WHERE id = $1", [job.id, '["8"]']);
    await jobs.save(Object.assign({}, stale, { last: { trained_tokens: 5 } }));
    expect(await jobs.get(job.id)).toMatchObject({ shared_with: ["8"], last: { trained_tokens: 5 } });
    expect((await jobs.succeeded()).map((j) => j.shared_with)).toEqual([["8"]]);
  });
});
