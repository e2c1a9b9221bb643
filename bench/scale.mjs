#!/usr/bin/env node
// Scale check (issue 13, finding 4): 100,000 client keys and 5,000 models (3 providers each) in one
// cluster. Measures the publish time, a proxy's memory per model and per key, and how long a change
// (a new model, a revoked key) takes to reach every proxy. Own database and bucket on the local
// Postgres/NATS. Not part of `npm test` (it takes a few minutes on a small machine).
// Usage: npm run build && node bench/scale.mjs [keys=100000] [models=5000]
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { spawnService } from "../libs/testing/dist/index.js";
import { migrateDeploy } from "../services/control-plane/dist/db/migrate.js";

const KEYS = Number(process.argv[2] ?? 100_000);
const MODELS = Number(process.argv[3] ?? 5_000);
const at = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const pgAdmin = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const tag = `scale_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
const token = randomBytes(16).toString("hex");
const env = { NATS_URL: natsUrl, ROUTER_NATS_BUCKET: tag, ROUTER_MASTER_KEY: randomBytes(32).toString("hex") };
const rssMb = (p) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.child.pid}/status`, "utf8"))[1]) / 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha = (s) => createHash("sha256").update(s).digest("hex");

async function admin(cp, method, path, body) {
  const r = await fetch(`${cp.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}
async function chat(proxy, model, key) {
  const r = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  await r.arrayBuffer();
  return r.status;
}
async function until(fn, timeoutMs = 60_000) {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (await fn()) return performance.now() - t0;
    await sleep(5);
  }
  throw new Error("timed out");
}
/** Time until every proxy passes `fn`, each polled on its own. */
const everywhere = (proxies, fn) => Promise.all(proxies.map((p) => until(() => fn(p)))).then((t) => Math.max(...t));
const publishedMs = (cp) => [...cp.output().matchAll(/"ms":(\d+)[^\n]*routing table published/g)].map((m) => Number(m[1]));
/** The last publish's parts: compile (database read included) and puts. */
const publishParts = (cp) => {
  const line =
    cp
      .output()
      .match(/[^\n]*routing table published[^\n]*/g)
      ?.at(-1) ?? "{}";
  const { compileMs, putMs } = JSON.parse(line);
  return `compile ${compileMs}, put ${putMs}`;
};
/** How long each proxy took to check and build its last table. */
const appliedMs = (proxies) =>
  proxies.map((p) => [...p.output().matchAll(/"ms":(\d+),"msg":"routing table applied"/g)].at(-1)?.[1] ?? "?").join("/");

const db = `${tag}`;
const admin0 = new pg.Client({ connectionString: pgAdmin });
await admin0.connect();
await admin0.query(`CREATE DATABASE "${db}"`);
await admin0.end();
const dbUrl = pgAdmin.replace(/\/[^/]*$/, `/${db}`);
const procs = [];
try {
  await migrateDeploy(dbUrl);
  const c = new pg.Client({ connectionString: dbUrl });
  c.on("error", () => {}); // the DROP at the end terminates it
  await c.connect();
  // 3 providers (the in-process mock), MODELS models with a link to each: inserted in bulk.
  await c.query(`INSERT INTO providers (name, adapter, updated_at) SELECT 'p' || i, 'mock', now() FROM generate_series(1, 3) i`);
  await c.query(`INSERT INTO models (name, updated_at) SELECT 'model-' || i, now() FROM generate_series(1, ${MODELS}) i`);
  await c.query(
    `INSERT INTO model_providers (model_id, provider_id, upstream_model, price, updated_at)
     SELECT m.id, p.id, 'mock-1', '{"input_per_mtok":1,"output_per_mtok":2}', now() FROM models m CROSS JOIN providers p`,
  );
  const cp = await spawnService(
    at("services/control-plane/dist/main.js"),
    { ...env, DATABASE_URL: dbUrl, ROUTER_ADMIN_TOKEN: token },
    120_000,
  );
  procs.push(cp);
  const proxies = [];
  for (let i = 0; i < 2; i++)
    proxies.push(await spawnService(at("services/proxy/dist/main.js"), { ...env, CONTROL_PLANE_URL: cp.url }, 60_000));
  procs.push(...proxies);
  const aKey = "sk-scale-0";
  await c.query(`INSERT INTO client_keys (name, hash, prefix, updated_at) VALUES ('k0', '${sha(aKey)}', 'sk-scale', now())`);
  // Rows written behind the admin API's back: a refresh re-reads them (keys included).
  await admin(cp, "POST", "/v1/stats/refresh");
  await everywhere(proxies, async (p) => (await chat(p, `model-${MODELS}`, aKey)) === 200);
  await sleep(3_000);
  const rssModels = proxies.map(rssMb);
  console.log(
    `${MODELS} models x 3 providers: publish ${publishedMs(cp).at(-1)} ms; proxy RSS ${rssModels.map((m) => m.toFixed(0)).join(", ")} MB`,
  );

  // Keys: KEYS rows in bulk, then one publish puts them all into the keys bucket.
  await c.query(
    `INSERT INTO client_keys (name, hash, prefix, rpm_limit, updated_at)
     SELECT 'key-' || i, encode(sha256(('sk-scale-' || i)::bytea), 'hex'), 'sk-scale', CASE WHEN i % 10 = 0 THEN 600 END, now()
     FROM generate_series(1, ${KEYS}) i`,
  );
  const tKeys = performance.now();
  await admin(cp, "POST", "/v1/stats/refresh");
  const last = `sk-scale-${KEYS}`;
  await everywhere(proxies, async (p) => (await chat(p, "model-1", last)) === 200);
  console.log(
    `${KEYS} keys: first publish (every key put) ${publishedMs(cp).at(-1)} ms; on every proxy after ${(performance.now() - tKeys).toFixed(0)} ms`,
  );
  await sleep(3_000);
  const rssKeys = proxies.map(rssMb);

  // A proxy with no table yet: the baseline.
  const bare = await spawnService(at("services/proxy/dist/main.js"), {
    ...env,
    ROUTER_NATS_BUCKET: `${tag}_none`,
    CONTROL_PLANE_URL: cp.url,
  });
  procs.push(bare);
  await sleep(2_000);
  const base = rssMb(bare);
  const avg = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  console.log(
    `proxy RSS: bare ${base.toFixed(0)} MB, with ${MODELS} models ${avg(rssModels).toFixed(0)} MB (${(((avg(rssModels) - base) * 1024) / MODELS).toFixed(1)} KB per model), ` +
      `plus ${KEYS} keys ${avg(rssKeys).toFixed(0)} MB (${(((avg(rssKeys) - avg(rssModels)) * 1024 * 1024) / KEYS).toFixed(0)} bytes per key)`,
  );

  // Changes at this scale: a new model, a revoked key.
  const pubs = [];
  for (let i = 0; i < 5; i++) {
    const name = `new-model-${i}`;
    const t0 = performance.now();
    const r = await admin(cp, "POST", "/v1/db/models", { name, provider_id: 1, upstream_model: "mock-1" });
    if (r.status !== 200) throw new Error(JSON.stringify(r));
    const apiMs = performance.now() - t0;
    const ms = await everywhere(proxies, async (p) => (await chat(p, name, aKey)) === 200);
    pubs.push({ apiMs, ms: apiMs + ms, publish: publishedMs(cp).at(-1), parts: publishParts(cp), applied: appliedMs(proxies) });
  }
  console.log(
    `new model -> served by every proxy: ${pubs
      .map((p) => `${p.ms.toFixed(0)} ms (API ${p.apiMs.toFixed(0)}, publish ${p.publish}: ${p.parts}; proxies applied in ${p.applied})`)
      .join("; ")}`,
  );
  const revs = [];
  for (let i = 1; i <= 5; i++) {
    const key = `sk-scale-${i * Math.floor(KEYS / 10)}`;
    const { rows } = await c.query(`SELECT id FROM client_keys WHERE hash = $1`, [sha(key)]);
    await everywhere(proxies, async (p) => (await chat(p, "model-1", key)) === 200);
    const t0 = performance.now();
    const r = await admin(cp, "POST", `/v1/db/keys/${rows[0].id}/revoke`);
    if (r.status !== 200) throw new Error(JSON.stringify(r));
    await everywhere(proxies, async (p) => (await chat(p, "model-1", key)) === 401);
    revs.push(performance.now() - t0);
  }
  console.log(`revoked key -> refused by every proxy: ${revs.map((m) => `${m.toFixed(0)} ms`).join(", ")}`);
  const nc = await connect({ servers: natsUrl });
  const kv = await new Kvm(nc).open(tag);
  const head = await kv.get("table");
  console.log(`table head: ${head.value.length} bytes; publish per change: the head plus changed chunks and keys`);
  await nc.close();
  await c.end();
} catch (err) {
  console.error(err);
  for (const p of procs) console.error(p.output().slice(-3000));
  process.exitCode = 1;
} finally {
  await Promise.all(procs.map((p) => p.stop()));
  const nc = await connect({ servers: natsUrl }).catch(() => undefined);
  if (nc) {
    for (const b of [tag, `${tag}-keys`, `${tag}_none`])
      await new Kvm(nc)
        .open(b)
        .then((kv) => kv.destroy())
        .catch(() => {});
    await nc.close();
  }
  const a = new pg.Client({ connectionString: pgAdmin });
  await a.connect();
  await a.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await a.end();
}
