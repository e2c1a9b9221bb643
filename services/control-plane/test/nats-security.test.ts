import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSigner, kvContext, natsSubjects, type RoutingTable } from "@ai-router/contracts";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  controlPlaneMain,
  createTestDatabase,
  MASTER_KEY,
  type PrivateNats,
  proxyMain,
  REDIS_URL,
  type ServiceProcess,
  signer,
  spawnService,
  startPrivateNats,
  uniqueName,
  waitFor,
  workerMain,
} from "./helpers.js";

/**
 * NATS is not a trust boundary: a NATS server with a user and password, the services connecting with
 * credentials (one proxy from NATS_USER/NATS_PASSWORD, one from a URL carrying them), and an insider who
 * holds the NATS credentials but not ROUTER_MASTER_KEY publishing forged tables, spend updates, stats
 * reports and resets. Every forgery is refused with a log line; the last good table keeps serving.
 */
const NATS_USER = "ai-router";
const NATS_PASSWORD = randomBytes(12).toString("hex");
const bucket = uniqueName("cp_sec");
const HEADER_SECRET = `hdr-${randomBytes(8).toString("hex")}`;
const cacheDir = mkdtempSync(join(tmpdir(), "ai-router-sec-"));
const cacheFile = join(cacheDir, "table.json");
let freeKey = "";
let natsServer: PrivateNats;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let cp: ServiceProcess;
let a: ServiceProcess;
let b: ServiceProcess;
/** The ledger writer: `/v1/stats` and key spend come from the usage ledger. */
let worker: ServiceProcess;
let real: MockUpstream;
let evil: MockUpstream;
let insider: NatsConnection;
let clientKey = "";
let clientKeyId = 0;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };

const env = () => ({ ROUTER_NATS_BUCKET: bucket, ROUTER_MASTER_KEY: MASTER_KEY });
const credentialsEnv = () => ({ ...env(), NATS_URL: natsServer.url, NATS_USER, NATS_PASSWORD });
const urlWithCredentials = () => natsServer.url.replace("nats://", `nats://${NATS_USER}:${NATS_PASSWORD}@`);

async function admin(method: string, path: string, body?: unknown) {
  const r = await fetch(`${cp.url}${path}`, { method, headers: auth, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> };
}
async function chat(p: ServiceProcess, model: string, key: string | undefined = clientKey) {
  const r = await fetch(`${p.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  return { status: r.status, body: (await r.json()) as { error?: { code: string } } };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  natsServer = await startPrivateNats({ user: NATS_USER, password: NATS_PASSWORD });
  [real, evil] = await Promise.all([startMockUpstream(), startMockUpstream()]);
  db = await createTestDatabase();
  cp = await spawnService(controlPlaneMain, { ...credentialsEnv(), DATABASE_URL: db.url, ROUTER_ADMIN_TOKEN: ADMIN_TOKEN });
  worker = await spawnService(workerMain, { ...credentialsEnv(), DATABASE_URL: db.url, REDIS_URL, HEALTH_WORKER_PORT: "0" });
  a = await spawnService(proxyMain, { ...credentialsEnv(), CONTROL_PLANE_URL: cp.url, ROUTER_TABLE_CACHE: cacheFile });
  b = await spawnService(proxyMain, { ...env(), NATS_URL: urlWithCredentials(), CONTROL_PLANE_URL: cp.url });
  await admin("POST", "/v1/db/providers", {
    name: "real",
    adapter: "openai-compatible",
    base_url: real.baseUrl,
    api_key: "sk-real-provider-0001",
    headers: { "X-Upstream-Token": HEADER_SECRET },
  });
  const m = await admin("POST", "/v1/db/models", { name: "m1", provider_id: 1, upstream_model: "gpt-4o" });
  // $1000 per million tokens: one answer costs more than the key's $0.001 budget.
  await admin("PUT", `/v1/db/models/${m.body.id}/providers/1`, { price: { input_per_mtok: 1000, output_per_mtok: 1000 } });
  const created = await admin("POST", "/v1/db/keys", { name: "budgeted", budget_usd: 0.001 });
  clientKey = created.body.key as string;
  clientKeyId = created.body.id as number;
  freeKey = (await admin("POST", "/v1/db/keys", { name: "unlimited" })).body.key as string;
  for (const p of [a, b]) await waitFor(async () => (await chat(p, "no-such-model")).status === 404, 10_000);
  insider = await connect({ servers: natsServer.url, user: NATS_USER, pass: NATS_PASSWORD });
}, 60_000);

afterAll(async () => {
  await insider?.close().catch(() => {});
  await Promise.all([a, b, cp, worker].filter(Boolean).map((p) => p.stop()));
  await Promise.all([real?.close(), evil?.close()]);
  await natsServer?.dispose();
  await db?.drop();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe("NATS credentials and signed routing tables, spend updates and reports", () => {
  it("the NATS server refuses a client without credentials; the services (env or URL credentials) are connected", async () => {
    await expect(connect({ servers: natsServer.url, timeout: 2_000, reconnect: false })).rejects.toThrow(/authorization/i);
    const health = (await (await fetch(`${cp.url}/health`)).json()) as { nats: string };
    expect(health.nats).toBe("connected");
    // The password never reaches a log line, though proxy b was given it in NATS_URL.
    for (const p of [cp, a, b]) expect(p.output()).not.toContain(NATS_PASSWORD);
  });

  it("provider header values travel sealed (NATS history, the proxies' disk cache) and reach the upstream opened", async () => {
    expect((await chat(a, "m1", freeKey)).status).toBe(200);
    const sent = real.received("/chat/completions").at(-1)!;
    expect(sent.headers["x-upstream-token"]).toBe(HEADER_SECRET);
    const kv = await new Kvm(insider).open(bucket);
    let entries = 0;
    for await (const e of await kv.history({ key: "table" })) {
      entries++;
      expect(e.string()).not.toContain(HEADER_SECRET);
    }
    expect(entries).toBeGreaterThan(0);
    await waitFor(() => existsSync(cacheFile), 5_000);
    expect(readFileSync(cacheFile, "utf8")).not.toContain(HEADER_SECRET);
    expect(readFileSync(cacheFile, "utf8")).toContain("enc:v1:");
    for (const p of [cp, a, b]) expect(p.output()).not.toContain(HEADER_SECRET);
  });

  it("refuses a forged table (unsigned, or signed with another key) that points the provider at another host and empties the client keys", async () => {
    const kv = await new Kvm(insider).open(bucket);
    const opened = signer.verify((await kv.get("table"))!.value, kvContext(bucket, "table"));
    if (!opened.ok) throw new Error(opened.reason);
    const current = JSON.parse(opened.payload) as RoutingTable;
    const forged: RoutingTable = {
      ...current,
      revision: current.revision + 1000,
      providers: current.providers.map((p) => ({ ...p, baseUrl: evil.baseUrl })),
      clientKeys: [],
    };
    await kv.put("table", JSON.stringify(forged));
    await waitFor(() => [a, b].every((p) => /routing table rejected: unsigned/.test(p.output())), 5_000);
    await kv.put("table", createSigner(randomBytes(32)).sign(JSON.stringify(forged), kvContext(bucket, "table")));
    await waitFor(() => [a, b].every((p) => /routing table rejected: bad signature/.test(p.output())), 5_000);
    for (const p of [a, b]) {
      expect((await chat(p, "m1", "")).status).toBe(401); // client auth still on
      expect((await chat(p, "no-such-model")).status).toBe(404); // still the real table
    }
    expect(evil.received("/chat/completions")).toHaveLength(0);
    // The control plane does not take the forged revision for the bucket's: its next change lands over it.
    const change = await admin("POST", "/v1/db/models", { name: "m2", provider_id: 1, upstream_model: "gpt-4o" });
    expect(change.headers.get("x-router-published")).toBe("true");
    expect(Number(change.headers.get("x-router-revision"))).toBeLessThan(forged.revision);
    for (const p of [a, b]) await waitFor(async () => (await chat(p, "m2")).status === 200, 5_000);
    expect(real.received("/chat/completions").length).toBeGreaterThan(0);
    expect(evil.received("/chat/completions")).toHaveLength(0);
  });

  it("ignores forged spend updates, stats reports and stats resets", async () => {
    const hash = createHash("sha256").update(clientKey).digest("hex");
    // Spend the key's budget through proxy a (the m2 calls above may already have): b learns it over NATS.
    await chat(a, "m1");
    await waitFor(async () => (await chat(b, "m1")).status === 429, 10_000, 100);
    const spentBefore = ((await admin("GET", `/v1/db/keys/${clientKeyId}`)).body as { spent_usd: number }).spent_usd;
    // An update saying the key has spent nothing, newer than any real one: b must keep refusing.
    const update = { at: Date.now() + 60_000, keys: { [hash]: 0 }, accounted: {} };
    insider.publish(natsSubjects.spend(bucket), JSON.stringify(update));
    insider.publish(natsSubjects.spend(bucket), createSigner(randomBytes(32)).sign(JSON.stringify(update), natsSubjects.spend(bucket)));
    // A replica that never existed reporting $1000 for the key, and a reset of every replica's counters.
    const report = {
      replica: "forged",
      at: Date.now(),
      startedAt: Date.now() - 1000,
      models: {},
      keys: { [hash]: { spentUsd: 1000, tokens: 1, requests: 1 } },
    };
    insider.publish(natsSubjects.stats(bucket), JSON.stringify(report));
    insider.publish(natsSubjects.statsReset(bucket));
    await insider.flush();
    await waitFor(() => /spend update rejected/.test(b.output()) && /stats reset rejected/.test(b.output()), 5_000);
    expect((await chat(b, "m1")).status).toBe(429);
    await sleep(2_500); // two stats report periods: a forged report would have been persisted by now
    const k = (await admin("GET", `/v1/db/keys/${clientKeyId}`)).body as { spent_usd: number };
    expect(k.spent_usd).toBeLessThan(1);
    expect(k.spent_usd).toBeGreaterThanOrEqual(spentBefore);
    expect(cp.output()).toMatch(/ignored a stats report/);
    const stats = (await admin("GET", "/v1/stats")).body as { replicas: number; stats: { request_counters: Record<string, number> } };
    expect(stats.replicas).toBe(2);
    expect(stats.stats.request_counters.m1).toBeGreaterThan(0); // not zeroed by the forged reset
  }, 30_000);
});
