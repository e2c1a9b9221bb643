import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@ai-router/logger";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standaloneAdminEndpoints } from "../src/handlers/operations/standalone-admin.js";
import { TableStore } from "../src/routing/table-store.js";
import { createProxy, type Proxy as RouterProxy } from "../src/server.js";
import { ConfigReloader, loadStandaloneTable } from "../src/standalone.js";

const TOKEN = "provider-health-admin-token";
let a: MockUpstream;
let b: MockUpstream;
let proxy: RouterProxy;
let url: string;
let dir: string;
let reloader: ConfigReloader;

beforeAll(async () => {
  a = await startMockUpstream();
  b = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), "phealth-"));
  const file = join(dir, "router.yaml");
  writeFileSync(
    file,
    JSON.stringify({
      server: { admin_token: TOKEN },
      providers: [
        { name: "a", type: "openai-compatible", base_url: a.baseUrl, api_key: "sk-a" },
        { name: "b", type: "openai-compatible", base_url: b.baseUrl, api_key: "sk-b" },
      ],
      models: [{ name: "m", strategy: "round_robin", providers: [{ provider: "a" }, { provider: "b" }] }],
    }),
  );
  const logger = createLogger({ name: "t", level: "silent", sync: true });
  const store = new TableStore(logger);
  reloader = new ConfigReloader(file, store, logger, loadStandaloneTable(file, store, logger, {}), {});
  proxy = createProxy({ store, logger });
  for (const r of standaloneAdminEndpoints(reloader, store)) proxy.addRoute(r);
  await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await proxy?.shutdown(1000);
  await a?.close();
  await b?.close();
  rmSync(dir, { recursive: true, force: true });
});

const chat = () =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
  });
const put = (path: string, init: { token?: string; body?: unknown } = {}) =>
  fetch(`${url}${path}`, {
    method: "PUT",
    headers: Object.assign({ "content-type": "application/json" }, init.token ? { authorization: `Bearer ${init.token}` } : {}),
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
const get = async <T>(path: string) => (await (await fetch(`${url}${path}`)).json()) as T;

describe("PUT /v1/providers/{name}/health (standalone)", () => {
  it("takes a provider out of rotation by hand: no traffic reaches it, health views show it", async () => {
    expect((await put("/v1/providers/a/health?health_status=unhealthy")).status).toBe(401);
    const r = await put("/v1/providers/a/health?health_status=unhealthy", { token: TOKEN });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ provider_name: "a", health_status: "unhealthy", manual: "unhealthy" });
    const before = a.requests.length;
    for (let i = 0; i < 6; i++) {
      const res = await chat();
      expect(res.status).toBe(200);
      expect(res.headers.get("x-router-provider")).toBe("b");
    }
    expect(a.requests.length).toBe(before);
    expect((await get<{ overall_health: string }>("/v1/providers/a/health")).overall_health).toBe("unhealthy");
    expect((await get<{ providers: Record<string, { health_status: string }> }>("/v1/health/providers")).providers.a?.health_status).toBe(
      "unhealthy",
    );
    const best = await get<{ best_provider: string }>("/v1/providers/best-for-model?model=m");
    expect(best.best_provider).toBe("b");
  });

  it("keeps the verdict across a config reload, and a provider all of whose targets are down gets a 503", async () => {
    expect(reloader.reload("test").ok).toBe(true);
    expect((await put("/v1/providers/b/health", { token: TOKEN, body: { health_status: "unhealthy" } })).status).toBe(200);
    const sent = a.requests.length + b.requests.length;
    const r = await chat();
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("no_available_provider");
    expect(a.requests.length + b.requests.length).toBe(sent);
  });

  it("puts providers back in rotation", async () => {
    expect((await put("/v1/providers/a/health?health_status=healthy", { token: TOKEN })).status).toBe(200);
    expect((await put("/v1/providers/b/health", { token: TOKEN, body: { health_status: "auto" } })).status).toBe(200);
    const served = new Set<string>();
    for (let i = 0; i < 4; i++) served.add((await chat()).headers.get("x-router-provider") ?? "");
    expect([...served].sort()).toEqual(["a", "b"]);
  });

  it("answers 404 for an unknown provider and 400 for an unknown status", async () => {
    expect((await put("/v1/providers/nope/health?health_status=unhealthy", { token: TOKEN })).status).toBe(404);
    const bad = await put("/v1/providers/a/health?health_status=sideways", { token: TOKEN });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("health_status");
  });
});

describe("provider rankings and the model cache", () => {
  it("ranks providers (top), a model's targets in its strategy's order (recommendations) and the best one", async () => {
    const top = await get<{ providers: { rank: number; provider_name: string; average_score: number }[]; limit: number }>(
      "/v1/providers/top?limit=1",
    );
    expect(top.providers).toHaveLength(1);
    expect(top.providers[0]?.rank).toBe(1);
    expect((await fetch(`${url}/v1/providers/top?limit=0`)).status).toBe(400);
    const rec = await get<{ strategy: string; recommendations: { rank: number; provider_name: string; available: boolean }[] }>(
      "/v1/providers/recommendations?model_name=m",
    );
    expect(rec.strategy).toBe("round_robin");
    expect(rec.recommendations.map((x) => x.provider_name).sort()).toEqual(["a", "b"]);
    expect(rec.recommendations.every((x) => x.available)).toBe(true);
    const viaName = await get<{ best_provider: string }>("/v1/providers/anything/best-for-model?model_name=m");
    expect(["a", "b"]).toContain(viaName.best_provider);
    const missing = await fetch(`${url}/v1/providers/recommendations`);
    expect(missing.status).toBe(400);
    expect((await fetch(`${url}/v1/providers/best-for-model?model=nope`)).status).toBe(404);
  });

  it("reports model cache hits and misses", async () => {
    const s1 = await get<{ stats: { hits: number; misses: number; cached_models: number; ttl: null } }>("/v1/models/cache/stats");
    expect(s1.stats.hits).toBeGreaterThan(0);
    expect(s1.stats.cached_models).toBe(1);
    await fetch(`${url}/v1/models/unknown-model`);
    const s2 = await get<{ stats: { misses: number; hit_rate: number } }>("/v1/models/cache/stats");
    expect(s2.stats.misses).toBe(s1.stats.misses + 1);
    expect(s2.stats.hit_rate).toBeGreaterThan(0);
  });
});
