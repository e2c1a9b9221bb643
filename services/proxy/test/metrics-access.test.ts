import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ProxyMetrics } from "../src/metrics/proxy-metrics.js";
import type { ProxyOptions } from "../src/server.js";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

/** Issue 27, finding 10: `/metrics` follows `auth_required` (names, volumes and costs of every key). */
let up: MockUpstream;
let proxy: TestProxy | undefined;
const CLIENT_KEY = "sk-team-a-0123456789";
const TOKEN = "metrics-token-0123456789abcdef";

beforeAll(async () => {
  up = await startMockUpstream();
});
afterAll(() => up.close());
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function start(keys: boolean, opts: Partial<ProxyOptions> = {}) {
  const cfg = openAIConfig([up.baseUrl], keys ? { keys: [{ name: "team-a", key: CLIENT_KEY }] } : {});
  proxy = await startTestProxy(cfg, {}, { proxy: (store) => ({ metrics: new ProxyMetrics(store, () => 0), ...opts }) });
  return proxy.url;
}

const scrape = async (url: string, authorization?: string) => {
  const r = await fetch(`${url}/metrics`, { headers: authorization ? { authorization } : {} });
  return { status: r.status, text: await r.text() };
};

describe("/metrics access", () => {
  it("client keys required and no metrics token: closed, to client keys too, saying what to set", async () => {
    const url = await start(true);
    const open = await scrape(url);
    expect(open.status).toBe(401);
    expect(JSON.parse(open.text).error.code).toBe("metrics_token_required");
    expect(JSON.parse(open.text).error.message).toContain("ROUTER_METRICS_TOKEN");
    expect(open.text).not.toContain("requests_total");
    expect((await scrape(url, `Bearer ${CLIENT_KEY}`)).status).toBe(401);
  });

  it("with ROUTER_METRICS_TOKEN: only that token reads them, keys or not", async () => {
    for (const keys of [true, false]) {
      const url = await start(keys, { metricsToken: TOKEN });
      expect((await scrape(url)).status).toBe(401);
      expect((await scrape(url, `Bearer ${TOKEN}x`)).status).toBe(401);
      expect((await scrape(url, `Bearer ${TOKEN.slice(0, -1)}`)).status).toBe(401);
      const ok = await scrape(url, `Bearer ${TOKEN}`);
      expect(ok.status).toBe(200);
      expect(ok.text).toContain("ai_router_upstream_pool_size");
      await proxy!.close();
      proxy = undefined;
    }
  });

  it("no client keys (an open router), or ROUTER_METRICS_PUBLIC: open", async () => {
    const url = await start(false);
    expect((await scrape(url)).status).toBe(200);
    await proxy!.close();
    const pub = await start(true, { metricsPublic: true });
    expect((await scrape(pub)).status).toBe(200);
  });
});
