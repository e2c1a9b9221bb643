import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBus, MASTER_KEY, NATS_URL, REDIS_URL, type ServiceProcess, spawnService, type TestBus, workerMain } from "./helpers.js";

const TOKEN = "worker-metrics-0123456789abcdef";
let bus: TestBus;
let worker: ServiceProcess;

beforeAll(async () => {
  bus = await createTestBus("hw_metrics");
  worker = await spawnService(workerMain, {
    REDIS_URL,
    NATS_URL,
    ROUTER_NATS_BUCKET: bus.bucket,
    ROUTER_MASTER_KEY: MASTER_KEY,
    HEALTH_WORKER_PORT: "0",
    ROUTER_METRICS_TOKEN: TOKEN,
  });
}, 30_000);
afterAll(async () => {
  await worker?.stop();
  await bus?.dispose();
});

describe("worker /metrics with ROUTER_METRICS_TOKEN", () => {
  it("answers only the token; /health stays open", async () => {
    expect((await fetch(`${worker.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${worker.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}` } })).status).toBe(401);
    const ok = await fetch(`${worker.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("probe_results_total");
    expect((await fetch(`${worker.url}/health`)).status).not.toBe(401);
  });
});
