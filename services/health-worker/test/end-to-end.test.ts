import { fileURLToPath } from "node:url";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestBus,
  MASTER_KEY,
  NATS_URL,
  REDIS_URL,
  type ServiceProcess,
  sealedTable,
  spawnService,
  type TestBus,
  waitFor,
  workerMain,
} from "./helpers.js";

/** The whole loop: real worker -> NATS -> real proxy, against an upstream that is down before any client asks. */
const proxyMain = fileURLToPath(new URL("../../proxy/dist/main.js", import.meta.url));

let bus: TestBus;
let healthy: MockUpstream;
let broken: MockUpstream;
let worker: ServiceProcess;
let proxy: ServiceProcess;

beforeAll(async () => {
  bus = await createTestBus("hw_e2e");
  healthy = await startMockUpstream();
  broken = await startMockUpstream();
  broken.behavior.fallback = { status: 503, message: "upstream overloaded" }; // every request, the probe's included
  const provider = (name: string, u: MockUpstream, i: number) => ({
    name,
    type: "openai-compatible",
    base_url: u.baseUrl,
    api_key: `sk-e2e-key-${i}-00000`,
  });
  const config = {
    server: { failure_threshold: 3, cooldown_ms: 60_000 },
    providers: [provider("healthy", healthy, 0), provider("broken", broken, 1)],
    models: [{ name: "gpt-4o", strategy: "round_robin", providers: [{ provider: "healthy" }, { provider: "broken" }] }],
  };
  await bus.putTable(sealedTable(config, 1));
  const env = { NATS_URL, ROUTER_NATS_BUCKET: bus.bucket, ROUTER_MASTER_KEY: MASTER_KEY };
  proxy = await spawnService(proxyMain, Object.assign({ CONTROL_PLANE_URL: "http://127.0.0.1:9" }, env));
  worker = await spawnService(workerMain, Object.assign({ REDIS_URL, HEALTH_PROBE_INTERVAL_MS: "200", HEALTH_WORKER_PORT: "0" }, env));
}, 30_000);

afterAll(async () => {
  await Promise.all([worker?.stop(), proxy?.stop()]);
  await Promise.all([healthy?.close(), broken?.close()]);
  await bus?.dispose();
});

describe("health worker and proxy together", () => {
  it("a provider failing its probes gets no client request at all, not even a first failed attempt", async () => {
    await waitFor(() => /provider failed its health probes/.test(proxy.output()), 8_000);
    const results = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const r = await fetch(`${proxy.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
        });
        await r.arrayBuffer();
        return `${r.status} ${r.headers.get("x-router-provider")} ${r.headers.get("x-router-attempts")}`;
      }),
    );
    expect(results).toEqual(Array(10).fill("200 healthy 1"));
    expect(broken.received("/chat/completions")).toHaveLength(0);
    expect(broken.received("/models").length).toBeGreaterThanOrEqual(2);
    expect(bus.reports.filter((r) => r.provider === "broken").at(-1)).toMatchObject({
      ok: false,
      status: 503,
      error: "HTTP 503: upstream overloaded",
    });
  });
});
