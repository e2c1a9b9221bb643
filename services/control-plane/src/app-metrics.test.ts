import type { AddressInfo } from "node:net";
import { createLogger } from "@ai-router/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { ControlPlaneMetrics } from "./http/metrics.js";

const TOKEN = "cp-metrics-0123456789abcdef";
let base: string;
let close: () => void;

beforeAll(async () => {
  // No route below touches the database: /metrics and /health only.
  const app = createApp({
    prisma: {} as never,
    logger: createLogger({ name: "app-metrics-test", level: "silent" }),
    masterKey: Buffer.alloc(32),
    adminToken: "admin-0123456789abcdef",
    publish: async () => ({ ok: true }) as never,
    publishKey: async () => ({ ok: true }) as never,
    metrics: new ControlPlaneMetrics(
      () => ({ published: 3, failed: 0 }),
      () => 7,
    ),
    metricsToken: TOKEN,
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

describe("control plane /metrics with ROUTER_METRICS_TOKEN", () => {
  it("answers only the token (the admin token is not asked for, nor enough)", async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: "Bearer admin-0123456789abcdef" } })).status).toBe(401);
    const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("routing_table_revision 7");
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
