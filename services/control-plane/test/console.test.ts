import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { publishSigned } from "@ai-router/cluster";
import { createSigner, natsSubjects, type ProbeReport, parseMasterKey } from "@ai-router/contracts";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  controlPlaneMain,
  MASTER_KEY,
  NATS_URL,
  type ServiceProcess,
  spawnService,
  startTestCluster,
  type TestCluster,
  waitFor,
} from "./helpers.js";

/**
 * What the admin console needs from the control plane: its static files at /ui/ (also through a proxy),
 * the "test connection" probe, live health, and chats passed on to a proxy.
 */
let cluster: TestCluster;
let up: MockUpstream;
let cp2: ServiceProcess;
const admin = (method: string, path: string, body?: unknown, base?: string) => cluster.admin(method, path, body, base);
const consoleAssets = fileURLToPath(new URL("../../../apps/console/dist/assets/", import.meta.url));

beforeAll(async () => {
  [cluster, up] = await Promise.all([startTestCluster("cp_console", 1), startMockUpstream()]);
}, 60_000);

afterAll(async () => {
  await cp2?.stop();
  await cluster?.stop();
  await up?.close();
});

describe("console files at /ui/", () => {
  it("GET / redirects to /ui/; index.html is never cached, hashed assets for a year, other /ui/ paths answer index.html", async () => {
    for (const base of [cluster.cp.url, cluster.proxies[0]!.url]) {
      const root = await fetch(`${base}/`, { redirect: "manual" });
      expect(root.status).toBe(302);
      expect(root.headers.get("location")).toBe("/ui/");
      const index = await fetch(`${base}/ui/`);
      expect(index.status).toBe(200);
      expect(index.headers.get("cache-control")).toBe("no-cache");
      const html = await index.text();
      expect(html).toContain('<div id="root">');
      expect(html).not.toMatch(/(src|href)="https?:/); // no CDN, no web font
      const deep = await fetch(`${base}/ui/providers/3`);
      expect(deep.status).toBe(200);
      expect(await deep.text()).toBe(html);
      const asset = readdirSync(consoleAssets).find((f) => f.endsWith(".js"))!;
      expect(html).toContain(`/ui/assets/${asset}`);
      const js = await fetch(`${base}/ui/assets/${asset}`);
      expect(js.status).toBe(200);
      expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(js.headers.get("content-type")).toContain("javascript");
      expect((await fetch(`${base}/ui/assets/missing-0000.js`)).status).toBe(404);
      // The files are public (the console asks for the token itself); the API behind them is not.
      expect((await fetch(`${base}/v1/db/providers`)).status).toBe(401);
    }
  });
});

describe("the offline pages' admin views", () => {
  it("answer through a proxy (forwarded to the control plane, which reads PostgreSQL)", async () => {
    const proxy = cluster.proxies[0]!.url;
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const files = await fetch(`${proxy}/v1/admin/files`, { headers });
    expect(files.status).toBe(200);
    expect(await files.json()).toMatchObject({ object: "list", data: [] });
    expect((await fetch(`${proxy}/v1/admin/files`)).status).toBe(401);
    // Batches: listed once the cluster's tables exist, else a 404 that says they are not stored.
    const batches = (await (await fetch(`${proxy}/v1/admin/batches`, { headers })).json()) as { object?: string; error?: { code: string } };
    expect(batches.object === "list" || batches.error?.code === "offline_store_missing").toBe(true);
  });
});

describe("POST /v1/db/providers/:id/test", () => {
  it("runs one probe with the provider's key and reports the answer; failures say why, secrets masked", async () => {
    const good = await admin("POST", "/v1/db/providers", {
      name: "mock-good",
      adapter: "openai-compatible",
      base_url: up.baseUrl,
      api_key: "sk-test-connection-0123456789",
    });
    const id = good.body.provider_id as number;
    up.requests.length = 0;
    const r = await admin("POST", `/v1/db/providers/${id}/test`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ provider: "mock-good", ok: true, status: 200, error: null, request: `GET ${up.baseUrl}/models` });
    expect(up.requests).toHaveLength(1);
    expect(up.requests[0]!.headers.authorization).toBe("Bearer sk-test-connection-0123456789");

    const bad = await admin("POST", "/v1/db/providers", {
      name: "mock-down",
      adapter: "openai-compatible",
      base_url: "http://127.0.0.1:9/v1",
      api_key: "sk-never-shown-0123456789",
    });
    const down = await admin("POST", `/v1/db/providers/${bad.body.provider_id}/test`);
    expect(down.status).toBe(200);
    expect(down.body.ok).toBe(false);
    expect(down.body.error).toMatch(/connection refused/);
    expect(JSON.stringify(down.body)).not.toContain("sk-never-shown-0123456789");

    up.behavior.next({ status: 401, message: "Incorrect API key provided: sk-test-connection-0123456789" });
    const refused = await admin("POST", `/v1/db/providers/${id}/test`);
    expect(refused.body).toMatchObject({ ok: false, status: 401 });
    expect(refused.body.error).not.toContain("sk-test-connection-0123456789");

    expect((await admin("POST", "/v1/db/providers/99999/test")).status).toBe(404);
    expect((await fetch(`${cluster.cp.url}/v1/db/providers/${id}/test`, { method: "POST" })).status).toBe(401);
  });
});

describe("GET /v1/db/health", () => {
  it("shows the proxies' targets with breakers and moving averages, and the health worker's probes", async () => {
    const p = await admin("POST", "/v1/db/providers", {
      name: "mock-live",
      adapter: "openai-compatible",
      base_url: up.baseUrl,
      api_key: "sk-live-0123456789",
    });
    await admin("POST", "/v1/db/models", { name: "live-model", provider_id: p.body.provider_id, upstream_model: "up-model" });
    const proxy = cluster.proxies[0]!.url;
    await waitFor(
      async () =>
        (
          await fetch(`${proxy}/v1/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ model: "live-model", messages: [{ role: "user", content: "hi" }] }),
          })
        ).status === 200,
      5_000,
    );
    const { connect } = await import("@nats-io/transport-node");
    const nc = await connect({ servers: NATS_URL });
    const report: ProbeReport = {
      provider: "mock-live",
      ok: false,
      status: 503,
      latencyMs: 12,
      checkedAt: Date.now(),
      consecutiveFailures: 2,
      error: "HTTP 503: overloaded",
      intervalMs: 30_000,
    };
    publishSigned(nc, createSigner(parseMasterKey(MASTER_KEY)), natsSubjects.health(cluster.bucket), report);
    await nc.flush();
    await nc.close();
    const view = await waitFor(
      async () => {
        const h = await admin("GET", "/v1/db/health");
        const replicas = h.body.replicas as { targets: { model: string; requests: number }[] }[];
        const t = replicas[0]?.targets.find((x) => x.model === "live-model");
        return t && t.requests >= 1 && (h.body.probes as unknown[]).length > 0 ? h.body : undefined;
      },
      12_000,
      250,
    );
    expect(view.nats).toBe("connected");
    expect(typeof view.revision).toBe("number");
    expect(view.probes).toEqual([
      expect.objectContaining({ provider: "mock-live", ok: false, status: 503, consecutive_failures: 2, error: "HTTP 503: overloaded" }),
    ]);
    const target = (view.replicas as { targets: Record<string, unknown>[] }[])[0]!.targets.find((x) => x.model === "live-model")!;
    expect(target).toMatchObject({ provider: "mock-live", upstream_model: "up-model", breaker: "closed", available: true });
    expect(target.latency_ms).toEqual(expect.any(Number));
  });
});

describe("chats from the console's playground", () => {
  it("are passed on to ROUTER_PROXY_URL when the console is served by the control plane, and refused with a reason without it", async () => {
    const none = await fetch(`${cluster.cp.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "live-model", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(none.status).toBe(503);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("proxy_not_configured");

    cp2 = await spawnService(controlPlaneMain, {
      ...cluster.env,
      DATABASE_URL: cluster.databaseUrl,
      ROUTER_ADMIN_TOKEN: ADMIN_TOKEN,
      ROUTER_PROXY_URL: cluster.proxies[0]!.url,
      SKIP_MIGRATIONS: "1",
    });
    const r = await fetch(`${cp2.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "live-model", stream: true, messages: [{ role: "user", content: "stream me" }] }),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-router-provider")).toBe("mock-live");
    expect(r.headers.get("content-type")).toContain("text/event-stream");
    const body = await r.text();
    expect(body).toContain("data: [DONE]");
    expect(body).toContain("Echo");
  });
});
