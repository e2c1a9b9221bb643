import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAIConfig, type ProxyProcess, spawnProxy } from "./harness.js";
import { chatLines, untilFinal } from "./offline-setup.js";

// Standalone batch lines are served by a batch lane: a child process at the lowest CPU priority
// (batches/batch-lane.ts). What a user sees: the batch completes as before, its records are in the
// proxy's usage_log, budgets hold across live traffic and batches, and a lane that dies is replaced.
const A = "sk-team-a-lane-111111111111";
const B = "sk-team-b-lane-222222222222";
const C = "sk-team-c-lane-333333333333";
let up: MockUpstream;
let dir: string;
let p: ProxyProcess;
const usageLog = () => join(dir, "usage.jsonl");

beforeAll(async () => {
  up = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), "router-lane-"));
  const config = openAIConfig([up.baseUrl], {
    server: { usage_log: usageLog() },
    keys: [
      { name: "team-a", key: A },
      { name: "team-b", key: B, budget_usd: 0.001 },
      { name: "team-c", key: C, budget_usd: 0.0002 },
    ],
  });
  writeFileSync(join(dir, "router.yaml"), JSON.stringify(config));
  p = await spawnProxy({
    ROUTER_CONFIG: join(dir, "router.yaml"),
    ROUTER_DATA_DIR: join(dir, "data"),
    ROUTER_BATCH_CONCURRENCY: "2",
    ROUTER_WARMUP: "0",
  });
});
afterAll(async () => {
  await p?.stop();
  await up?.close();
  rmSync(dir, { recursive: true, force: true });
});

const client = (key: string) => new OpenAI({ baseURL: `${p.url}/v1`, apiKey: key, maxRetries: 0 });
async function runBatch(key: string, lines: string, until?: () => Promise<void>) {
  const c = client(key);
  const file = await c.files.create({ file: await toFile(Buffer.from(lines), "in.jsonl"), purpose: "batch" });
  const batch = await c.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
  await until?.();
  const done = await untilFinal(c, batch.id, 30_000);
  const text = async (id: string | null | undefined) => (id ? await (await c.files.content(id)).text() : "");
  const results = `${await text(done.output_file_id)}${await text(done.error_file_id)}`
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { custom_id: string; response: { status_code: number } | null });
  return { done, results };
}

/** The lane's pid and port, from the proxy's "batch lane ready" log lines (the latest). */
async function laneReady(after = 0): Promise<{ lanePid: number; port: number }> {
  for (;;) {
    const lines = p
      .output()
      .split("\n")
      .filter((l) => l.includes("batch lane ready"));
    if (lines.length > after) return JSON.parse(lines[lines.length - 1] as string) as { lanePid: number; port: number };
    await new Promise((r) => setTimeout(r, 20));
  }
}
type Rec = { batch_id: string | null; replica: string; key_name: string | null; status: number; cost_usd: number | null };
const records = (): Rec[] =>
  readFileSync(usageLog(), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);
/** The usage_log's records that match, once there are `n` (the log is written in batches). */
async function recordsOf(match: (r: Rec) => boolean, n: number): Promise<Rec[]> {
  for (;;) {
    const found = records().filter(match);
    if (found.length >= n) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
}
/** Live chat requests of a key, one at a time, until one is refused (429): how many were served (at most `max`). */
async function liveUntilRefused(key: string, max: number): Promise<number> {
  for (let i = 0; i < max; i++) {
    const r = await fetch(`${p.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "spend" }] }),
    });
    await r.arrayBuffer();
    if (r.status === 429) return i;
    expect(r.status).toBe(200);
  }
  return max;
}
const nice = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[16]);

describe("the batch lane (standalone)", () => {
  it("serves the lines at the lowest priority; records reach the proxy's usage_log; only batch lines get in", async () => {
    const { done, results } = await runBatch(A, chatLines(20));
    expect(done.status).toBe("completed");
    expect(done.request_counts).toMatchObject({ total: 20, completed: 20, failed: 0 });
    expect(results.map((r) => r.custom_id).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `req-${i}`).sort());

    const lane = await laneReady();
    expect(lane.lanePid).not.toBe(p.child.pid);
    expect(nice(lane.lanePid)).toBe(19);
    // The lane's port is no second front door: a request without the runner's signature is refused.
    const res = await fetch(`http://127.0.0.1:${lane.port}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${A}` },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(404);

    // The proxy wrote the lines' records (the lane has no usage_log of its own), marked with the batch.
    const lines = await recordsOf((r) => r.batch_id === done.id, 20);
    expect(lines).toHaveLength(20);
    expect(lines.every((r) => r.replica.endsWith("-batch-lane") && r.key_name === "team-a")).toBe(true);
  });

  it("a lane killed mid-batch is replaced, and every custom_id appears once", async () => {
    up.behavior.fallback = { delayMs: 20 };
    const before = (await laneReady()).lanePid;
    const readyLines = p
      .output()
      .split("\n")
      .filter((l) => l.includes("batch lane ready")).length;
    const seen = up.received("/chat/completions").length;
    const { done, results } = await runBatch(A, chatLines(60, "gpt-4o", 100), async () => {
      while (up.received("/chat/completions").length < seen + 10) await new Promise((r) => setImmediate(r));
      process.kill(before, "SIGKILL");
    });
    up.behavior.fallback = {};
    expect((await laneReady(readyLines)).lanePid).not.toBe(before);
    expect(done.status).toBe("completed");
    const ids = results.map((r) => r.custom_id);
    expect(new Set(ids).size).toBe(60);
    expect(ids).toHaveLength(60);
    expect(done.request_counts?.completed).toBe(60);
  });

  it("a key's budget holds across live traffic and batch lines", async () => {
    // B's batch (one line at a time, each slow) and B's live requests spend one budget at once: the
    // lane hears of the live spend and the proxy of the lines', so together they stop near the budget
    // (without that, each side would spend the whole budget on its own).
    up.behavior.fallback = { delayMs: 30 };
    const live = liveUntilRefused(B, 60);
    const b = await runBatch(B, chatLines(60));
    const liveServed = await live;
    up.behavior.fallback = {};
    const lineServed = b.results.filter((r) => r.response?.status_code === 200).length;
    expect(lineServed).toBeGreaterThan(0);
    expect(b.results.some((r) => r.response?.status_code === 429)).toBe(true);
    const spent = await recordsOf((r) => r.key_name === "team-b" && r.status === 200, liveServed + lineServed);
    const costs = spent.map((r) => r.cost_usd ?? 0);
    const total = costs.reduce((a, c) => a + c, 0);
    // The budget, overshot by at most the requests in flight when it ran out (one line and one live request).
    expect(total).toBeLessThanOrEqual(0.001 + 2 * Math.max(...costs) + 1e-9);
    expect(total).toBeGreaterThanOrEqual(0.001 - Math.max(...costs));
  });

  it("the proxy refuses a key's live requests once its batch lines spent its budget (it hears of the lines' spend)", async () => {
    const c = await runBatch(C, chatLines(30));
    const served = c.results.filter((r) => r.response?.status_code === 200).length;
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThan(30);
    await recordsOf((r) => r.key_name === "team-c" && r.status === 200, served);
    // What the batch left of the budget: at most the room one or two requests' reservations took.
    expect(await liveUntilRefused(C, 10)).toBeLessThanOrEqual(2);
  });
});
