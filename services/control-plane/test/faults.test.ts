import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSigner, kvContext, nats, parseMasterKey } from "@ai-router/contracts";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  chat,
  controlPlaneMain,
  createTestDatabase,
  destroyBucket,
  MASTER_KEY,
  type PrivateNats,
  proxyMain,
  type ServiceProcess,
  spawnService,
  startPrivateNats,
  uniqueName,
  waitFor,
} from "./helpers.js";

/** Faults on a private nats-server (the machine's shared one is never stopped). */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let natsServer: PrivateNats;
let cp: ServiceProcess;
const proxies: ServiceProcess[] = [];
/** Processes a test starts for itself; stopped in afterAll too, should the test fail midway. */
const stragglers: ServiceProcess[] = [];
const bucket = uniqueName("cp_faults");
const cacheDir = mkdtempSync(join(tmpdir(), "ai-router-cache-"));
const cacheFile = join(cacheDir, "table.json");
const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };

const env = () => ({ NATS_URL: natsServer.url, ROUTER_NATS_BUCKET: bucket, ROUTER_MASTER_KEY: MASTER_KEY });
async function admin(method: string, path: string, body?: unknown) {
  const r = await fetch(`${cp.url}${path}`, { method, headers: auth, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> };
}
const servesEverywhere = (model: string, timeoutMs = 8_000) =>
  Promise.all(proxies.map((p) => waitFor(async () => (await chat(p.url, model)) === 200, timeoutMs, 10)));

/** Sends requests to every proxy until `stop()` and counts the ones that were not 200. */
function hammer(model: string) {
  let running = true;
  let sent = 0;
  let failed = 0;
  const loops = proxies.map(async (p) => {
    while (running) {
      const s = await chat(p.url, model).catch(() => 0);
      sent++;
      if (s !== 200) failed++;
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { sent, failed };
    },
  };
}

beforeAll(async () => {
  natsServer = await startPrivateNats();
  db = await createTestDatabase();
  cp = await spawnService(controlPlaneMain, { ...env(), DATABASE_URL: db.url, ROUTER_ADMIN_TOKEN: ADMIN_TOKEN });
  proxies.push(await spawnService(proxyMain, { ...env(), CONTROL_PLANE_URL: cp.url, ROUTER_TABLE_CACHE: cacheFile }));
  proxies.push(await spawnService(proxyMain, { ...env(), CONTROL_PLANE_URL: cp.url }));
  // A provider whose key is sealed in the table: proxies must open it with the master key.
  await admin("POST", "/v1/db/providers", { name: "local", adapter: "mock", api_key: "sk-mock-key-0000" });
  await admin("POST", "/v1/db/models", { name: "m1", provider_id: 1 });
  await servesEverywhere("m1");
}, 60_000);

afterAll(async () => {
  await Promise.all([...proxies, ...stragglers].map((p) => p.stop()).concat(cp ? [cp.stop()] : []));
  await natsServer?.dispose();
  await db?.drop();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe("faults", () => {
  it("keeps serving with zero failed requests while NATS is down, and picks up a change made meanwhile", async () => {
    const load = hammer("m1");
    await new Promise((r) => setTimeout(r, 200));
    await natsServer.stop();
    const during = await admin("POST", "/v1/db/models", { name: "m2", provider_id: 1 });
    expect(during.status).toBe(200); // the database is the source of truth; publishing is retried
    expect(during.headers.get("x-router-published")).toBe("false");
    await new Promise((r) => setTimeout(r, 1_500));
    for (const p of proxies) expect(await chat(p.url, "m2")).toBe(404);
    await natsServer.start();
    const t0 = Date.now();
    await servesEverywhere("m2", 10_000);
    const pickedUpMs = Date.now() - t0;
    const { sent, failed } = await load.stop();
    expect(sent).toBeGreaterThan(50);
    expect(failed).toBe(0);
    expect(pickedUpMs).toBeLessThan(5_000);
  });

  it("refuses malformed, older and unknown-version tables published by hand, logs it, keeps the last good one", async () => {
    const nc = await connect({ servers: natsServer.url });
    const kv = await new Kvm(nc).open(bucket);
    // Signed with the cluster's key: these reach the proxies' own checks.
    const signer = createSigner(parseMasterKey(MASTER_KEY));
    const put = (s: string) => kv.put("table", signer.sign(s, kvContext(bucket, "table")));
    const opened = signer.verify((await kv.get("table"))!.value, kvContext(bucket, "table"));
    if (!opened.ok) throw new Error(opened.reason);
    const current = JSON.parse(opened.payload) as { revision: number };
    await put("{not json");
    await put(JSON.stringify({ ...current, revision: current.revision - 1 }));
    await put(JSON.stringify({ ...current, schemaVersion: 99, revision: current.revision + 100 }));
    await put(JSON.stringify({ ...current, revision: current.revision + 100, models: [{ name: "broken" }] }));
    await waitFor(() => proxies.every((p) => /invalid routing table/.test(p.output())), 5_000);
    for (const p of proxies) {
      expect(p.output()).toMatch(/not valid JSON/);
      expect(p.output()).toMatch(/older than the served revision/);
      expect(p.output()).toMatch(/unsupported schemaVersion 99/);
      expect(await chat(p.url, "m1")).toBe(200);
      expect(await chat(p.url, "m2")).toBe(200);
    }
    await nc.close();
    // The control plane publishes past whatever is in the bucket, so the next change still lands.
    expect((await admin("POST", "/v1/db/models", { name: "m3", provider_id: 1 })).status).toBe(200);
    await servesEverywhere("m3");
  });

  it("boots a new replica from its disk cache while NATS is down", { timeout: 40_000 }, async () => {
    await natsServer.stop();
    const cached = await spawnService(proxyMain, { ...env(), CONTROL_PLANE_URL: cp.url, ROUTER_TABLE_CACHE: cacheFile });
    stragglers.push(cached);
    try {
      expect(await chat(cached.url, "m3")).toBe(200);
      expect(cached.output()).toMatch(/serving the cached routing table/);
      const health = (await (await fetch(`${cached.url}/health`)).json()) as { status: string };
      expect(health.status).toBe("ok");
    } finally {
      await cached.stop();
      await natsServer.start();
    }
  });

  it("serves a new deployment's tables (database and bucket recreated) at once, over a higher cached revision", {
    timeout: 60_000,
  }, async () => {
    // Push the served revision past what the new deployment will publish first.
    for (const name of ["r1", "r2"]) expect((await admin("POST", "/v1/db/models", { name, provider_id: 1 })).status).toBe(200);
    await servesEverywhere("r2");
    const signer = createSigner(parseMasterKey(MASTER_KEY));
    const cachedTable = (file: string) => {
      const v = signer.verify(readFileSync(file), kvContext(bucket, nats.routingKey));
      if (!v.ok) throw new Error(`cache ${file}: ${v.reason}`);
      return JSON.parse(v.payload) as { revision: number; lineage?: string };
    };
    const old = cachedTable(cacheFile);
    expect(old.revision).toBeGreaterThanOrEqual(5);
    const staleCache = join(cacheDir, "stale.json");
    copyFileSync(cacheFile, staleCache);
    // A new deployment: a new database and a recreated bucket, revisions from 1 again.
    await cp.stop();
    await destroyBucket(natsServer.url, bucket);
    const db2 = await createTestDatabase();
    try {
      cp = await spawnService(controlPlaneMain, { ...env(), DATABASE_URL: db2.url, ROUTER_ADMIN_TOKEN: ADMIN_TOKEN });
      await admin("POST", "/v1/db/providers", { name: "local", adapter: "mock", api_key: "sk-mock-key-0000" });
      expect((await admin("POST", "/v1/db/models", { name: "fresh", provider_id: 1 })).status).toBe(200);
      // Running proxies (revision >= 5 in memory) take the new lineage's low revision.
      // A watch on the destroyed bucket may not see the new one: the 10 s resync bounds the wait.
      await servesEverywhere("fresh", 15_000);
      for (const p of proxies) expect(await chat(p.url, "r2")).toBe(404);
      expect(proxies[0]!.output()).toMatch(/routing table of a new lineage/);
      // A proxy booting from a cache of the old deployment: the bucket's current table beats it.
      const booted = await spawnService(proxyMain, { ...env(), CONTROL_PLANE_URL: cp.url, ROUTER_TABLE_CACHE: staleCache });
      stragglers.push(booted);
      await waitFor(async () => (await chat(booted.url, "fresh")) === 200, 8_000, 20);
      const table = cachedTable(staleCache);
      expect(table.revision).toBeLessThan(old.revision);
      expect(table.lineage).not.toBe(old.lineage);
      await booted.stop();
    } finally {
      await cp.stop();
      cp = await spawnService(controlPlaneMain, { ...env(), DATABASE_URL: db.url, ROUTER_ADMIN_TOKEN: ADMIN_TOKEN });
      await db2.drop();
    }
  });
});
