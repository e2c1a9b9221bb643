import { Readable } from "node:stream";
import { createLogger } from "@ai-router/logger";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHUNK_BYTES, PgFileStore } from "../../proxy/src/files/pg-file-store.js";
import { createApp } from "../src/app.js";
import { createPrisma, type PrismaClient } from "../src/db/client.js";
import { ADMIN_TOKEN, createTestDatabase, MASTER_KEY } from "./helpers.js";
import { closePool, testPool } from "./test-database.js";

/**
 * The console's Files page in cluster mode: the control plane lists every key's files that the proxies
 * keep in PostgreSQL (router_files), with the owning key's name, streams a file's chunks back, deletes.
 */
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let prisma: PrismaClient;
let pool: ReturnType<typeof testPool>;
let store: PgFileStore;
let app: ReturnType<typeof createApp>;
const notRun = () => Promise.reject(new Error("not used"));

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  pool = testPool(db.url, 2);
  store = new PgFileStore(pool);
  app = createApp({
    prisma,
    logger: createLogger({ name: "cp-files-test", level: "silent", sync: true }),
    masterKey: Buffer.from(MASTER_KEY, "hex"),
    adminToken: ADMIN_TOKEN,
    publish: notRun,
    publishKey: notRun,
  });
}, 60_000);
afterAll(async () => {
  await closePool(pool);
  await prisma?.$disconnect();
  await db?.drop();
});

async function put(id: string, owner: string, purpose: "batch" | "fine-tune", bytes: Buffer, createdS: number) {
  const n = await store.write(id, Readable.from([bytes]));
  await store.saveMeta({ id, owner, bytes: n, created_at: createdS, created_ms: createdS * 1000, filename: `${id}.jsonl`, purpose });
}

describe("/v1/admin/files from PostgreSQL", () => {
  it("lists every key's files newest first with the owner's name, filters by purpose, pages, streams content, deletes", async () => {
    const key = await prisma.clientKey.create({ data: { name: "team-a", hash: "a".repeat(64), prefix: "sk-router-aaaa" } });
    const big = Buffer.alloc(2 * CHUNK_BYTES + 99, "xyz");
    await put("file-big", String(key.id), "batch", big, 1_765_000_000);
    await put("file-ft", String(key.id), "fine-tune", Buffer.from('{"messages":[]}\n'), 1_765_000_100);
    await put("file-gone-key", "424242", "batch", Buffer.from("{}\n"), 1_765_000_200);

    expect((await request(app).get("/v1/admin/files")).status).toBe(401);
    const all = await request(app).get("/v1/admin/files").set(auth);
    expect(all.status).toBe(200);
    expect(all.body.data.map((f: { id: string }) => f.id)).toEqual(["file-gone-key", "file-ft", "file-big"]);
    expect(all.body.data[1]).toMatchObject({ object: "file", owner: "team-a", owner_key_id: String(key.id), purpose: "fine-tune" });
    expect(all.body.data[0].owner).toBe("424242");
    expect(all.body.data[2].bytes).toBe(big.length);

    const batch = await request(app).get("/v1/admin/files?purpose=batch&limit=1").set(auth);
    expect(batch.body).toMatchObject({ has_more: true, data: [{ id: "file-gone-key" }] });
    const next = await request(app).get("/v1/admin/files?purpose=batch&limit=1&after=file-gone-key").set(auth);
    expect(next.body).toMatchObject({ has_more: false, data: [{ id: "file-big" }] });
    expect((await request(app).get("/v1/admin/files?limit=0").set(auth)).status).toBe(400);

    const content = await request(app)
      .get("/v1/admin/files/file-big/content")
      .set(auth)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => cb(null, Buffer.concat(chunks)));
      });
    expect(content.status).toBe(200);
    expect(Buffer.compare(content.body as Buffer, big)).toBe(0);
    expect((await request(app).get("/v1/admin/files/no-such/content").set(auth)).status).toBe(404);
    expect((await request(app).get("/v1/admin/files/..%2Fx/content").set(auth)).status).toBe(404);

    const del = await request(app).delete("/v1/admin/files/file-big").set(auth);
    expect(del.body).toEqual({ id: "file-big", object: "file", deleted: true });
    expect(await store.meta("file-big")).toBeUndefined();
    expect(await prisma.routerFileChunk.count({ where: { fileId: "file-big" } })).toBe(0);
    expect((await request(app).delete("/v1/admin/files/file-big").set(auth)).status).toBe(404);
    const audit = await prisma.auditLog.findFirst({ where: { entity: "file", entityId: "file-big" } });
    expect(audit?.action).toBe("delete");
  });
});

describe("/v1/admin/batches and /v1/admin/fine_tuning/jobs from PostgreSQL", () => {
  it("answer a clear 404 while the tables are absent, then list every key's batches and jobs and cancel a batch", async () => {
    // Before the cluster's offline migration is in this build the tables are absent: a 404 that says so.
    const present = (await pool.query("SELECT to_regclass('router_batches')::text AS t")).rows[0].t !== null;
    if (!present) {
      const before = await request(app).get("/v1/admin/batches").set(auth);
      expect(before.status).toBe(404);
      expect(before.body.error.code).toBe("offline_store_missing");
      expect((await request(app).get("/v1/admin/fine_tuning/jobs").set(auth)).status).toBe(404);
    }

    // The tables as the cluster's migration (20261207170000_offline_cluster) makes them (a no-op once it is merged).
    await pool.query(
      `CREATE TABLE IF NOT EXISTS router_batches (id TEXT PRIMARY KEY, owner TEXT NOT NULL, created_ms BIGINT NOT NULL, status TEXT NOT NULL, state JSONB NOT NULL)`,
    );
    await pool.query(
      `CREATE TABLE IF NOT EXISTS router_ft_jobs (id TEXT PRIMARY KEY, owner TEXT NOT NULL, created_ms BIGINT NOT NULL, status TEXT NOT NULL, state JSONB NOT NULL)`,
    );
    const key = await prisma.clientKey.create({ data: { name: "team-b", hash: "b".repeat(64), prefix: "sk-router-bbbb" } });
    const batch = (id: string, status: string, ms: number) => ({
      id,
      owner: String(key.id),
      endpoint: "/v1/chat/completions",
      input_file_id: "file-in",
      completion_window: "24h",
      status,
      created_at: Math.floor(ms / 1000),
      created_ms: ms,
      expires_at: Math.floor(ms / 1000) + 86_400,
      request_counts: { total: 10, completed: 4, failed: 1 },
      output_file_id: null,
      error_file_id: null,
      cancelling_at: null,
    });
    for (const [id, status, ms] of [
      ["batch_old", "completed", 1_765_000_000_000],
      ["batch_run", "in_progress", 1_765_000_500_000],
    ] as const)
      await pool.query("INSERT INTO router_batches (id, owner, created_ms, status, state) VALUES ($1, $2, $3, $4, $5)", [
        id,
        String(key.id),
        ms,
        status,
        JSON.stringify(batch(id, status, ms)),
      ]);
    await pool.query("INSERT INTO router_ft_jobs (id, owner, created_ms, status, state) VALUES ($1, $2, $3, $4, $5)", [
      "ftjob-1",
      String(key.id),
      1_765_000_000_000,
      "succeeded",
      JSON.stringify({
        id: "ftjob-1",
        owner: String(key.id),
        model: "mini",
        provider: "oai",
        status: "succeeded",
        fine_tuned_model: "ft:mini:x",
        created_ms: 1_765_000_000_000,
        last: { trained_tokens: 1234 },
      }),
    ]);

    const list = await request(app).get("/v1/admin/batches").set(auth);
    expect(list.body.data.map((b: { id: string }) => b.id)).toEqual(["batch_run", "batch_old"]);
    expect(list.body.data[0]).toMatchObject({
      object: "batch",
      status: "in_progress",
      owner: "team-b",
      request_counts: { total: 10, completed: 4, failed: 1 },
    });
    const jobs = await request(app).get("/v1/admin/fine_tuning/jobs").set(auth);
    expect(jobs.body.data).toEqual([
      expect.objectContaining({ id: "ftjob-1", owner: "team-b", fine_tuned_model: "ft:mini:x", trained_tokens: 1234, status: "succeeded" }),
    ]);

    const cancel = await request(app).post("/v1/admin/batches/batch_run/cancel").set(auth);
    expect(cancel.body).toMatchObject({ id: "batch_run", status: "cancelling" });
    const stored = await pool.query("SELECT status, state FROM router_batches WHERE id = 'batch_run'");
    expect(stored.rows[0].status).toBe("cancelling");
    expect(stored.rows[0].state.status).toBe("cancelling");
    expect(stored.rows[0].state.cancelling_at).toBeGreaterThan(0);
    expect((await request(app).post("/v1/admin/batches/batch_old/cancel").set(auth)).status).toBe(409);
    expect((await request(app).post("/v1/admin/batches/nope/cancel").set(auth)).status).toBe(404);
  });
});
