import { randomBytes } from "node:crypto";
import { compileConfig, parseConfig } from "@ai-router/config";
import { createSigner, encryptSecret, kvContext, nats, natsSubjects, type ProbeReport } from "@ai-router/contracts";
import { type MockUpstream, startMockUpstream, waitFor } from "@ai-router/testing";
import { type KV, Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyProcess, spawnProxy } from "./harness.js";

/** Cluster mode: the health worker's probe reports (published here by hand, as the worker does) steer a real proxy process. */
const NATS_URL = process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222";
const MASTER_KEY = randomBytes(32).toString("hex");
const bucket = `px_health_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
const signer = createSigner(Buffer.from(MASTER_KEY, "hex"));

let nc: NatsConnection;
let kv: KV;
let proxy: ProxyProcess;
const ups: MockUpstream[] = [];

async function chat(): Promise<{ status: number; provider: string | null; attempts: string | null }> {
  const r = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
  });
  await r.arrayBuffer();
  return { status: r.status, provider: r.headers.get("x-router-provider"), attempts: r.headers.get("x-router-attempts") };
}
const providersOf = async (n: number) => {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await chat();
    expect(r.status).toBe(200);
    seen.push(r.provider!);
  }
  return seen;
};
const report = (provider: string, ok: boolean, consecutiveFailures: number): ProbeReport => ({
  provider,
  ok,
  status: ok ? 200 : 503,
  latencyMs: 15,
  checkedAt: Date.now(),
  consecutiveFailures,
  error: ok ? null : "HTTP 503: overloaded",
  intervalMs: 200,
});
/** Publishes a report signed as the health worker does (`sign: false` sends the bytes as they are; a Signer signs with another key). */
async function publish(payload: ProbeReport | string, sign: boolean | ReturnType<typeof createSigner> = true): Promise<void> {
  const subject = natsSubjects.health(bucket);
  const text = typeof payload === "string" ? payload : JSON.stringify(payload);
  nc.publish(subject, sign === false ? text : (sign === true ? signer : sign).sign(text, subject));
  await nc.flush();
  await new Promise((r) => setTimeout(r, 50)); // the proxy's subscription delivers asynchronously
}
async function candidates() {
  const r = await fetch(`${proxy.url}/v1/load-balancing/statistics`);
  const body = (await r.json()) as { models: { candidates: { provider: string; available: boolean; probe_down: boolean }[] }[] };
  return Object.fromEntries(body.models[0]!.candidates.map((c) => [c.provider, c]));
}

beforeAll(async () => {
  ups.push(await startMockUpstream(), await startMockUpstream());
  const config = {
    server: { cooldown_ms: 60_000 },
    providers: ups.map((u, i) => ({ name: `up${i}`, type: "openai-compatible", base_url: u.baseUrl, api_key: `sk-test-key-${i}` })),
    models: [{ name: "gpt-4o", strategy: "round_robin", providers: ups.map((_, i) => ({ provider: `up${i}`, model: "gpt-4o" })) }],
  };
  const { table } = compileConfig(parseConfig(JSON.stringify(config), "test", {}), 1);
  for (const p of table.providers) p.apiKeys = p.apiKeys.map((k) => encryptSecret(k, Buffer.from(MASTER_KEY, "hex")));
  nc = await connect({ servers: NATS_URL });
  kv = await new Kvm(nc).create(bucket, { history: 2 });
  await kv.put(nats.routingKey, signer.sign(JSON.stringify(table), kvContext(bucket, nats.routingKey)));
  proxy = await spawnProxy({
    NATS_URL,
    ROUTER_NATS_BUCKET: bucket,
    ROUTER_MASTER_KEY: MASTER_KEY,
    CONTROL_PLANE_URL: "http://127.0.0.1:9",
  });
  await waitFor(async () => (await chat()).status === 200);
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  await kv?.destroy().catch(() => {});
  await nc?.close();
  await Promise.all(ups.map((u) => u.close()));
});

describe("active health probes in a proxy (cluster mode)", () => {
  it("routes every request to the healthy target once a provider fails two probes in a row, and back after a successful probe", async () => {
    expect(new Set(await providersOf(4))).toEqual(new Set(["up0", "up1"]));
    await publish(report("up0", false, 1));
    expect(new Set(await providersOf(4))).toEqual(new Set(["up0", "up1"])); // one failed probe is not a verdict
    await publish(report("up0", false, 2));
    const chatsToUp0 = ups[0]!.received("/chat/completions").length;
    const during = await Promise.all(Array.from({ length: 8 }, () => chat()));
    expect(during.map((r) => `${r.status} ${r.provider} ${r.attempts}`)).toEqual(Array(8).fill("200 up1 1"));
    expect(ups[0]!.received("/chat/completions")).toHaveLength(chatsToUp0); // not even tried
    expect((await candidates()).up0).toMatchObject({ available: false, probe_down: true, breaker: "open" });
    await publish(report("up0", true, 0));
    expect(new Set(await providersOf(4))).toEqual(new Set(["up0", "up1"]));
    expect((await candidates()).up0).toMatchObject({ available: true, probe_down: false });
  });

  it("still serves from a probe-failed provider when it is the only candidate left", async () => {
    for (const n of [1, 2]) await publish(report("up0", false, n));
    for (const n of [1, 2]) await publish(report("up1", false, n));
    expect((await chat()).status).toBe(200);
    for (const p of ["up0", "up1"]) await publish(report(p, true, 0));
  });

  it("ignores unsigned and foreign-key reports: only the health worker can take a provider out of rotation", async () => {
    const forger = createSigner(randomBytes(32));
    for (const n of [1, 2, 3]) {
      await publish(report("up0", false, n), false);
      await publish(report("up0", false, n), forger);
    }
    expect((await candidates()).up0).toMatchObject({ available: true, probe_down: false });
    expect(new Set(await providersOf(4))).toEqual(new Set(["up0", "up1"]));
    await waitFor(async () => /health report dropped/.test(proxy.output()));
    expect(proxy.output()).toMatch(/unsigned report|bad signature report/);
  });

  it("drops malformed reports with a warning and keeps serving", async () => {
    await publish("{not json");
    await publish(JSON.stringify({ provider: "up0", ok: false }));
    await waitFor(async () => /health report dropped/.test(proxy.output()));
    expect(new Set(await providersOf(4))).toEqual(new Set(["up0", "up1"]));
    expect(proxy.child.exitCode).toBeNull();
  });
});
