import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, chat, proxyMain, spawnService, startTestCluster, type TestCluster, waitFor } from "./helpers.js";

/** Control plane + 2 proxy processes on the machine's NATS, with a private bucket and database. */
let cluster: TestCluster;
const admin = (method: string, path: string, body?: unknown, base?: string) => cluster.admin(method, path, body, base);

beforeAll(async () => {
  // With a ledger writer: the cluster-wide `/v1/stats` comes from the usage ledger.
  cluster = await startTestCluster("cp_cluster", 2, {}, { worker: true });
  await admin("POST", "/v1/db/providers", { name: "local", adapter: "mock" });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("cluster mode", () => {
  it("propagates 20 new models to both proxies soon after the API's 200", async () => {
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const name = `prop-${i}`;
      const r = await admin("POST", "/v1/db/models", { name, provider_id: 1, upstream_model: "mock-1" });
      expect(r.status).toBe(200);
      const t0 = performance.now();
      await Promise.all(cluster.proxies.map((p) => waitFor(async () => (await chat(p.url, name)) === 200, 5_000, 5)));
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;
    // Target is 200 ms (bench/propagation.mjs reports it); asserted loosely so a busy CI box does not flake.
    expect(p99).toBeLessThan(2_000);
  });

  it("forwards the admin API, docs and /v1/stats from the proxy's port to the control plane", async () => {
    const p = cluster.proxies[0]!.url;
    const models = await admin("GET", "/v1/db/models/", undefined, p);
    expect(models.status).toBe(200);
    expect((models.body.models as unknown[]).length).toBe(20);
    const unauth = await fetch(`${p}/v1/db/models`);
    expect(unauth.status).toBe(401);
    expect((await fetch(`${p}/openapi.json`)).status).toBe(200);
    expect(await (await fetch(`${p}/docs`)).text()).toContain("swagger-ui");
    // A change through the proxy's port reaches both proxies.
    expect((await admin("POST", "/v1/db/models", { name: "via-proxy", provider_id: 1 }, p)).status).toBe(200);
    await waitFor(async () => (await chat(cluster.proxies[1]!.url, "via-proxy")) === 200, 5_000);
    // Cluster-wide counters: requests served by both replicas are summed by the control plane.
    const stats = await waitFor(
      async () => {
        const s = await admin("GET", "/v1/stats", undefined, p);
        const c = (s.body.stats as { request_counters: Record<string, number> }).request_counters;
        return s.body.replicas === 2 && (c["via-proxy"] ?? 0) >= 1 ? s.body : undefined;
      },
      8_000,
      200,
    );
    expect(stats.use_database).toBe(true);
    const refresh = await admin("POST", "/v1/stats/refresh", undefined, p);
    expect(refresh.body).toMatchObject({ models_count: 21, published: true });
  });

  it("deleting the last client key keeps every proxy refusing requests (401) until auth_required is turned off explicitly", async () => {
    const { proxies } = cluster;
    const served = async (url: string) => ((await (await fetch(`${url}/health`)).json()) as { revision: number }).revision;
    const everywhere = (revision: number) => Promise.all(proxies.map((p) => waitFor(async () => (await served(p.url)) >= revision, 5_000)));
    expect((await admin("GET", "/v1/db/settings")).body).toMatchObject({ auth_required: false, client_keys: 0 });
    for (const p of proxies) expect(await chat(p.url, "prop-0")).toBe(200); // no key yet: open

    const created = await admin("POST", "/v1/db/keys", { name: "the-only-key" });
    const { id, key } = created.body as { id: number; key: string };
    expect((await admin("GET", "/v1/db/settings")).body).toMatchObject({ auth_required: true, client_keys: 1 });
    await everywhere(Number(created.headers.get("x-router-revision")));
    for (const p of proxies) expect([await chat(p.url, "prop-0"), await chat(p.url, "prop-0", key)]).toEqual([401, 200]);

    // The leaked key is deleted: the router stays closed to everyone.
    const deleted = await admin("DELETE", `/v1/db/keys/${id}`);
    expect(deleted.status).toBe(200);
    await everywhere(Number(deleted.headers.get("x-router-revision")));
    for (const p of proxies) expect([await chat(p.url, "prop-0"), await chat(p.url, "prop-0", key)]).toEqual([401, 401]);
    expect((await admin("GET", "/v1/db/settings")).body).toMatchObject({ auth_required: true, client_keys: 0 });
    expect((await admin("PUT", "/v1/db/settings", { auth_required: "no" })).status).toBe(400);

    // Only an explicit change opens it, and it is audited.
    const opened = await admin("PUT", "/v1/db/settings", { auth_required: false });
    expect(opened.body).toMatchObject({ auth_required: false });
    await everywhere(Number(opened.headers.get("x-router-revision")));
    for (const p of proxies) expect(await chat(p.url, "prop-0")).toBe(200);
    const audit = (await admin("GET", "/v1/db/audit?entity=settings")).body.entries as { details: unknown }[];
    expect(audit.map((e) => e.details)).toEqual([
      { auth_required: { from: true, to: false } },
      { auth_required: { from: false, to: true } },
    ]);
  });

  it("keeps proxies serving when the control plane is killed, and forwards admin calls with a 502", async () => {
    const { cp, proxies } = cluster;
    await cp.stop("SIGKILL");
    for (const p of proxies) for (let i = 0; i < 20; i++) expect(await chat(p.url, `prop-${i}`)).toBe(200);
    const r = await fetch(`${proxies[0]!.url}/v1/db/models`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.status).toBe(502);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("control_plane_unreachable");
    // A new replica boots from the bucket alone.
    const late = await spawnService(proxyMain, Object.assign({}, cluster.env, { CONTROL_PLANE_URL: cp.url }));
    proxies.push(late);
    await waitFor(async () => (await chat(late.url, "via-proxy")) === 200, 5_000);
  });
});
