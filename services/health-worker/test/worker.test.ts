import { healthKeys, healthQueue } from "@ai-router/contracts";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bucketKeys,
  createTestBus,
  MASTER_KEY,
  NATS_URL,
  REDIS_URL,
  type ServiceProcess,
  sealedTable,
  sleep,
  spawnService,
  type TestBus,
  waitFor,
  workerMain,
} from "./helpers.js";

const INTERVAL = 200;
const GOOD_KEY = "sk-good-upstream-key-7f3a9c";
const BAD_KEY = "sk-bad-upstream-key-11d0e2";

let bus: TestBus;
let good: MockUpstream;
let bad: MockUpstream;
let badBase: string;
const workers: ServiceProcess[] = [];

const provider = (name: string, base: string, key: string, type = "openai-compatible") => ({
  name,
  type,
  base_url: base,
  api_key: key,
  timeout_ms: 2_000,
});
function config(withBad: boolean) {
  return {
    providers: [
      provider("good", good.baseUrl, GOOD_KEY),
      ...(withBad ? [provider("bad", badBase, BAD_KEY)] : []),
      { name: "local", type: "mock" },
      // Only shielded links: never probed.
      provider("shielded", `${good.url}/shielded/v1`, "sk-shielded-key-000000"),
    ],
    models: [
      { name: "m1", providers: [{ provider: "good", model: "gpt-4o" }, ...(withBad ? [{ provider: "bad", model: "gpt-4o" }] : [])] },
      // "good" again, under another model and upstream id: still one probe per interval.
      {
        name: "m2",
        providers: [
          { provider: "good", model: "gpt-4o-mini" },
          { provider: "local", model: "echo" },
        ],
      },
      { name: "m3", providers: [{ provider: "shielded", model: "big", health_check: false }] },
    ],
  };
}
const startWorker = () =>
  spawnService(workerMain, {
    REDIS_URL,
    NATS_URL,
    ROUTER_NATS_BUCKET: bus.bucket,
    ROUTER_MASTER_KEY: MASTER_KEY,
    HEALTH_PROBE_INTERVAL_MS: String(INTERVAL),
    HEALTH_WORKER_PORT: "0",
  });
const latest = (provider: string) => bus.reports.filter((r) => r.provider === provider).at(-1);
const probesOfGood = () => good.requests.filter((r) => r.method === "GET" && r.path === "/v1/models").length;

beforeAll(async () => {
  bus = await createTestBus("hw_test");
  good = await startMockUpstream();
  bad = await startMockUpstream();
  badBase = bad.baseUrl;
  await bad.refuse();
  await bus.putTable(sealedTable(config(true), 1));
  workers.push(await startWorker());
}, 30_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await good?.close();
  await bad?.close().catch(() => {});
  await bus?.dispose();
});

describe("health worker (real process, Redis, NATS)", () => {
  it("probes every health-checked provider and publishes a report per probe", async () => {
    await waitFor(() => latest("good")?.ok && (latest("bad")?.consecutiveFailures ?? 0) >= 2 && latest("local")?.ok, 8_000);
    expect(latest("good")).toMatchObject({ ok: true, status: 200, error: null, consecutiveFailures: 0, intervalMs: INTERVAL });
    expect(latest("bad")).toMatchObject({ ok: false, status: null, error: "connection refused (ECONNREFUSED)" });
    expect(latest("local")).toMatchObject({ ok: true, status: null, latencyMs: 0 });
    expect(bus.reports.some((r) => r.provider === "shielded")).toBe(false);
    expect(good.requests.filter((r) => r.path.startsWith("/shielded"))).toHaveLength(0);
    // The sealed key was opened with the master key and sent like live traffic sends it.
    expect(good.received("/models")[0]!.headers.authorization).toBe(`Bearer ${GOOD_KEY}`);
    expect(bus.invalid).toEqual([]);
    expect(workers[0]!.output()).not.toMatch(new RegExp(`${GOOD_KEY}|${BAD_KEY}`));
  });

  it("keeps the results in Redis: a hash per provider and the recent latencies", async () => {
    const g = await bus.redis.hgetall(healthKeys.provider(bus.bucket, "good"));
    expect(g).toMatchObject({ type: "openai-compatible", ok: "1", status: "200", consecutiveFailures: "0", lastError: "" });
    expect(Date.now() - Number(g.checkedAt)).toBeLessThan(5_000);
    expect(Number(g.latencyMs)).toBeGreaterThan(0);
    const latencies = await bus.redis.lrange(healthKeys.latencies(bus.bucket, "good"), 0, -1);
    expect(latencies.length).toBeGreaterThanOrEqual(1);
    expect(latencies.every((l) => Number(l) > 0)).toBe(true);
    const b = await bus.redis.hgetall(healthKeys.provider(bus.bucket, "bad"));
    expect(b).toMatchObject({ ok: "0", status: "", lastError: "connection refused (ECONNREFUSED)" });
    expect(Number(b.consecutiveFailures)).toBeGreaterThanOrEqual(2);
    expect(await bus.redis.exists(healthKeys.latencies(bus.bucket, "bad"))).toBe(0);
    expect(await bus.redis.exists(healthKeys.provider(bus.bucket, "shielded"))).toBe(0);
  });

  it("answers GET /health", async () => {
    const r = await fetch(`${workers[0]!.url}/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: "ok", redis: "ready", nats: true, bucket: bus.bucket, revision: 1, probed: 3 });
  });

  it("two replicas probe a provider once per interval between them, not once each", async () => {
    workers.push(await startWorker());
    await sleep(300);
    const before = probesOfGood();
    const t0 = Date.now();
    await sleep(2_000);
    const probes = probesOfGood() - before;
    const intervals = (Date.now() - t0) / INTERVAL;
    expect(probes).toBeGreaterThanOrEqual(intervals - 3);
    expect(probes).toBeLessThanOrEqual(intervals + 2);
  });

  it("a provider that accepts connections again is reported healthy at the next probe", async () => {
    await bad.accept();
    await waitFor(() => latest("bad")?.ok, 3_000);
    expect(await bus.redis.hget(healthKeys.provider(bus.bucket, "bad"), "consecutiveFailures")).toBe("0");
  });

  it("a provider that leaves the table loses its schedule and its Redis keys", async () => {
    await bus.putTable(sealedTable(config(false), 2));
    const queue = new Queue(healthQueue.name, { connection: { url: REDIS_URL }, prefix: healthQueue.prefix(bus.bucket) });
    try {
      await waitFor(async () => {
        const ids = (await queue.getJobSchedulers(0, -1)).map((s) => s.id ?? s.key).sort();
        return ids.join() === "probe:good,probe:local";
      }, 5_000);
      await waitFor(async () => (await bus.redis.exists(healthKeys.provider(bus.bucket, "bad"))) === 0, 3_000);
      const n = bus.reports.filter((r) => r.provider === "bad").length;
      await sleep(4 * INTERVAL);
      expect(bus.reports.filter((r) => r.provider === "bad").length).toBeLessThanOrEqual(n + 1); // at most one already running
      expect(await bus.redis.exists(healthKeys.provider(bus.bucket, "bad"))).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it("without Redis it stays up, answers 503 on /health, and stops cleanly", async () => {
    const w = await spawnService(workerMain, {
      REDIS_URL: "redis://127.0.0.1:1",
      NATS_URL,
      ROUTER_NATS_BUCKET: bus.bucket,
      ROUTER_MASTER_KEY: MASTER_KEY,
      HEALTH_WORKER_PORT: "0",
    });
    try {
      await sleep(500);
      const r = await fetch(`${w.url}/health`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ status: "redis_unavailable" });
      expect(w.child.exitCode).toBeNull();
    } finally {
      const t0 = Date.now();
      expect(await w.stop("SIGTERM")).toBe(0);
      expect(Date.now() - t0).toBeLessThan(3_000);
    }
  });

  it("without NATS it waits for it, says so on /health, and stops cleanly", async () => {
    const w = await spawnService(workerMain, {
      REDIS_URL,
      NATS_URL: "nats://127.0.0.1:1",
      ROUTER_NATS_BUCKET: bus.bucket,
      ROUTER_MASTER_KEY: MASTER_KEY,
      HEALTH_WORKER_PORT: "0",
    });
    try {
      await sleep(300);
      expect(await (await fetch(`${w.url}/health`)).json()).toMatchObject({ nats: false, revision: null, probed: 0 });
    } finally {
      const t0 = Date.now();
      expect(await w.stop("SIGTERM")).toBe(0);
      expect(Date.now() - t0).toBeLessThan(3_000);
    }
  });

  it("stops on SIGTERM with exit code 0", async () => {
    const t0 = Date.now();
    const codes = await Promise.all(workers.map((w) => w.stop("SIGTERM")));
    expect(codes).toEqual(workers.map(() => 0));
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await bucketKeys(bus.redis, bus.bucket)).not.toHaveLength(0); // schedules outlive a worker: other replicas use them
  });
});
