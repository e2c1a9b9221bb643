import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { toFile } from "openai";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePool, createTestDatabase, testPool } from "../../control-plane/test/test-database.js";
import { CHUNK_BYTES, PgFileStore } from "../src/files/pg-file-store.js";
import { openAIConfig } from "./harness.js";
import { chatLines, type OfflineProxy, startOfflineProxy, untilFinal } from "./offline-setup.js";

const A = "sk-team-a-pg-1111111111";
const B = "sk-team-b-pg-2222222222";
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
let up: MockUpstream;
let proxy: OfflineProxy;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = testPool(db.url, 4);
  up = await startMockUpstream();
  const cfg = openAIConfig([up.baseUrl], {
    keys: [
      { name: "team-a", key: A },
      { name: "team-b", key: B },
    ],
  });
  proxy = await startOfflineProxy(cfg, { files: new PgFileStore(pool) });
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  await up?.close();
  await closePool(pool);
  await db?.drop();
});

describe("files in PostgreSQL, chunked", () => {
  it("streams an upload into 1 MiB rows and back, lists, isolates per key, deletes", async () => {
    const a = proxy.sdk(A);
    const big = Buffer.alloc(3 * CHUNK_BYTES + 12345, "abcdefghij");
    const f = await a.files.create({ file: await toFile(big, "big.bin"), purpose: "user_data" });
    expect(f.bytes).toBe(big.length);
    const rows = await pool.query("SELECT seq, length(data) AS n FROM router_file_chunks WHERE file_id = $1 ORDER BY seq", [f.id]);
    expect(rows.rows.map((r) => Number(r.n))).toEqual([CHUNK_BYTES, CHUNK_BYTES, CHUNK_BYTES, 12345]);
    expect(Buffer.from(await (await a.files.content(f.id)).arrayBuffer()).equals(big)).toBe(true);
    const second = await a.files.create({ file: await toFile(Buffer.from("x"), "x.txt"), purpose: "user_data" });
    const listed = await a.files.list({ limit: 1 });
    expect(listed.data.map((x) => x.id)).toEqual([second.id]);
    expect((await a.files.list({ limit: 1, after: second.id })).data.map((x) => x.id)).toEqual([f.id]);
    await expect(proxy.sdk(B).files.retrieve(f.id)).rejects.toMatchObject({ status: 404 });
    await a.files.delete(f.id);
    expect((await pool.query("SELECT count(*)::int AS n FROM router_file_chunks WHERE file_id = $1", [f.id])).rows[0].n).toBe(0);
  });

  it("runs a batch whose files live there", async () => {
    const a = proxy.sdk(A);
    const file = await a.files.create({ file: await toFile(Buffer.from(chatLines(3)), "in.jsonl"), purpose: "batch" });
    const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    const done = await untilFinal(a, made.id);
    expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });
    const out = (await (await a.files.content(done.output_file_id as string)).text()).trim().split("\n");
    expect(out.map((l) => JSON.parse(l).custom_id).sort()).toEqual(["req-0", "req-1", "req-2"]);
  });
});
