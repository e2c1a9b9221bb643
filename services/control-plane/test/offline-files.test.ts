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
