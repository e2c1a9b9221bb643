#!/usr/bin/env node
// Chaos run (issue 13): a cluster (control plane, two proxy replicas, health of its own) under steady
// mixed load, one fault at a time, a table per fault. Every service it breaks is its own: a private
// nats-server, redis-server and PostgreSQL cluster on free ports (the machine's shared ones are never
// touched), an in-process mock upstream. A health worker writes the usage ledger: per fault, every
// request a client saw answered must be in it exactly once (scripts/chaos-ledger.mjs), or the run fails.
// Not part of `npm test`; about 4-5 minutes.
// Usage: npm run chaos
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spawnService, startMockUpstream } from "../libs/testing/dist/index.js";
import { continuationWorld, cutAtRandom, LONG_ASK, streamText } from "./chaos-continuation.mjs";
import { dirs, nats, natsPort, pgPort, postgres, redis, redisPort } from "./chaos-daemons.mjs";
import { checkLedger, forgedEffect, forgedRecord, ledgerLine, ledgerPool, publishForged, sendPoison } from "./chaos-ledger.mjs";

const at = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
await Promise.all([nats.start(), redis.start(), postgres.start()]);

const mock = await startMockUpstream({ record: false });
const token = randomBytes(16).toString("hex");
const env = {
  NATS_URL: `nats://127.0.0.1:${natsPort}`,
  ROUTER_NATS_BUCKET: "chaos",
  ROUTER_MASTER_KEY: randomBytes(32).toString("hex"),
  LOG_LEVEL: "warn",
};
const cpEnv = { ...env, DATABASE_URL: `postgresql://postgres@127.0.0.1:${pgPort}/postgres`, ROUTER_ADMIN_TOKEN: token };
let cp = await spawnService(at("services/control-plane/dist/main.js"), { ...cpEnv, LOG_LEVEL: "info" }, 120_000);
const proxyEnv = () => ({ ...env, LOG_LEVEL: "info", CONTROL_PLANE_URL: cp.url, REDIS_URL: `redis://127.0.0.1:${redisPort}` });
// The ledger writer (the control plane applied the migrations at its start).
const worker = await spawnService(at("services/health-worker/dist/main.js"), {
  ...env,
  LOG_LEVEL: "info", // its "listening" line gives the port
  DATABASE_URL: cpEnv.DATABASE_URL,
  REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  HEALTH_WORKER_PORT: "0",
  HEALTH_PROBE_INTERVAL_MS: "600000",
});
const pool = ledgerPool(cpEnv.DATABASE_URL);
const proxies = [
  await spawnService(at("services/proxy/dist/main.js"), proxyEnv()),
  await spawnService(at("services/proxy/dist/main.js"), proxyEnv()),
];

async function admin(method, path, body) {
  const r = await fetch(`${cp.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}
for (const name of ["up-a", "up-b"]) {
  const r = await admin("POST", "/v1/db/providers", {
    name,
    adapter: "openai-compatible",
    base_url: mock.baseUrl,
    api_key: "sk-chaos-0000",
  });
  if (r.status !== 200) throw new Error(JSON.stringify(r));
  await admin("PUT", `/v1/db/providers/${r.body.id}`, { timeout_ms: 2_000 });
}
const model = await admin("POST", "/v1/db/models", { name: "m", provider_id: 1, upstream_model: "gpt-4o", strategy: "round_robin" });
await admin("POST", `/v1/db/models/${model.body.id}/providers`, { provider_id: 2, upstream_model: "gpt-4o" });
const cont = await continuationWorld(admin, mock);
const faults = [
  "SIGKILL proxy",
  "SIGKILL control plane",
  "NATS restart",
  "Redis down 10 s",
  "Postgres down 10 s",
  "upstream resets mid-stream",
  "upstream resets mid-stream, model with stream_continuation",
  "upstream stalls",
  "poisoned records (NUL, lone surrogate, 1.2 MB model)",
  "forged usage batches",
];
// One load key per fault: the ledger's rows of that key are that fault's records.
const loadKeys = [];
for (const [i] of faults.entries()) loadKeys.push((await admin("POST", "/v1/db/keys", { name: `load-${i}` })).body);
const limitKeys = [];
for (const _ of faults) limitKeys.push((await admin("POST", "/v1/db/keys", { name: `limit-${limitKeys.length}`, rpm_limit: 10 })).body.key);

/** One client request (retried once on the other replica); every response it got goes to `seen`. */
async function chat(key, stream, seen, model = "m") {
  const order = Math.random() < 0.5 ? [0, 1] : [1, 0];
  let last = "";
  // The client retries once on the other replica (what a load balancer in front does).
  for (const i of order) {
    let answer;
    try {
      const r = await fetch(`${proxies[i].url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ model, stream, messages: [{ role: "user", content: model === "mc" ? LONG_ASK : "hi" }] }),
        signal: AbortSignal.timeout(15_000),
      });
      answer = { id: r.headers.get("x-request-id"), proxy: proxies[i], end: Number.POSITIVE_INFINITY };
      seen.answered.push(answer);
      const text = await r.text().finally(() => (answer.end = Date.now()));
      // The continuation model's streams must also carry the whole answer, byte for byte.
      const whole = !stream || model !== "mc" || streamText(text) === `Echo: ${LONG_ASK}`;
      if (r.status === 200 && (!stream || text.includes("[DONE]")) && whole) return { ok: true };
      if (r.status === 200 && !whole) return { ok: false, why: "wrong text" };
      if (r.status === 200) last = "stream cut";
      else last = `${r.status} ${/"code":"([^"]+)"/.exec(text)?.[1] ?? ""}`.trim();
      if (r.status < 500 && r.status !== 200) return { ok: false, why: last };
    } catch (err) {
      last = err.cause?.code ?? err.name;
      // No response at all: a record may exist under an id this client never saw.
      if (answer === undefined) seen.unanswered++;
    }
  }
  return { ok: false, why: last };
}

/** Steady mixed load (JSON and streams) from 8 clients until stopped. */
function load(loadKey, model) {
  let running = true;
  const s = { sent: 0, served: 0, failed: 0, why: {}, answered: [], unanswered: 0 };
  const loops = Array.from({ length: 8 }, async (_, n) => {
    while (running) {
      const r = await chat(loadKey, n % 2 === 0, s, model);
      s.sent++;
      if (r.ok) s.served++;
      else {
        s.failed++;
        s.why[r.why] = (s.why[r.why] ?? 0) + 1;
      }
      await sleep(20);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return s;
    },
  };
}

/** 20 requests of a key with rpm 10 spread over both replicas: exact when 10 are served. */
async function limitCheck(key) {
  const rs = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      fetch(`${proxies[i % 2].url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
      }).then(
        (r) => r.status,
        () => 0,
      ),
    ),
  );
  return rs.filter((s) => s === 200).length;
}

async function respawnProxy(i) {
  proxies[i] = await spawnService(at("services/proxy/dist/main.js"), proxyEnv());
}
/** The replica killed by the current fault and when: its last records may go with its buffer. */
let killed;
/** What the current fault added besides the load (poisoned requests, forged batches). */
let extra;
const actions = {
  "SIGKILL proxy": async () => {
    killed = { proxy: proxies[0], at: Date.now() };
    proxies[0].child.kill("SIGKILL");
    await sleep(3_000);
    await respawnProxy(0);
  },
  "SIGKILL control plane": async () => {
    cp.child.kill("SIGKILL");
    await sleep(3_000);
    cp = await spawnService(at("services/control-plane/dist/main.js"), { ...cpEnv, LOG_LEVEL: "info" }, 60_000);
  },
  "NATS restart": async () => {
    await nats.kill();
    await sleep(3_000);
    await nats.start();
  },
  "Redis down 10 s": async () => {
    await redis.kill();
    await sleep(10_000);
    await redis.start();
  },
  "Postgres down 10 s": async () => {
    await postgres.kill();
    await sleep(10_000);
    await postgres.start();
  },
  "upstream resets mid-stream": async () => {
    mock.behavior.next({ cutAfterChunks: 1 }, 30);
    await sleep(5_000);
  },
  "upstream resets mid-stream, model with stream_continuation": async () => {
    extra.cuts = cutAtRandom(cont.cutMock, 400);
    await sleep(5_000);
  },
  "upstream stalls": async () => {
    mock.behavior.next({ delayMs: 60_000 }, 10);
    await sleep(6_000);
    mock.behavior.reset();
  },
  "poisoned records (NUL, lone surrogate, 1.2 MB model)": async (i) => {
    extra.poison = await sendPoison(proxies, loadKeys[i].key);
    await sleep(3_000);
  },
  "forged usage batches": async (i) => {
    extra.forged = await publishForged(env.NATS_URL, env.ROUTER_NATS_BUCKET, loadKeys[i].id, forgedRecord);
    await sleep(3_000);
  },
};

// CHAOS_ONLY=<words>: only the faults whose name contains them (e.g. "resets mid-stream").
const only = process.env.CHAOS_ONLY;
const rows = [];
const t0 = performance.now();
try {
  for (const [i, f] of faults.entries()) {
    if (only && !f.includes(only)) continue;
    killed = undefined;
    extra = {};
    const l = load(loadKeys[i].key, f.includes("stream_continuation") ? "mc" : "m");
    await sleep(2_000);
    const during = limitCheck(limitKeys[i]);
    await actions[f](i);
    await sleep(3_000);
    const served = await during;
    const s = await l.stop();
    // After the writer caught up: every answered request's record, once.
    const answered = s.answered.concat(extra.poison?.answered ?? []);
    // A replica killed with SIGKILL loses what its publisher held: the batch in flight (JetStream's ack
    // waits up to 3 s) and what queued behind it.
    const lostOk = (a) => killed !== undefined && a.proxy === killed.proxy && a.end >= killed.at - 3_500;
    const ledger = await checkLedger(pool, loadKeys[i].id, answered, s.unanswered + (extra.poison?.unanswered ?? 0), lostOk);
    let forged = "";
    if (extra.forged) {
      const e = await forgedEffect(pool, extra.forged, loadKeys[i].id);
      forged = `\n  forged batches ($100 each; unsigned, another key's signature): ${e.stored} records stored, key spend $${e.spent.toFixed(6)} = its records' $${Number(e.rows).toFixed(6)} (${e.ok ? "rejected" : "NOT rejected"})`;
      if (!e.ok) ledger.ok = false;
    }
    if (ledger.lost)
      forged += `\n  lost with the killed replica: answered ${Math.max(...ledger.lostAnswers.map((a) => killed.at - Math.min(a.end, killed.at)))} ms before the kill at most`;
    if (extra.cuts) forged += `\n  cuts taken by the first target (streams and JSON alike): ${extra.cuts()}`;
    if (extra.poison) forged += `\n  poisoned requests: ${extra.poison.answered.map((a) => a.status).join(", ")}`;
    if (!ledger.ok) process.exitCode = 1;
    rows.push({ f, ...s, limit: served, ledger });
    const why =
      Object.entries(s.why)
        .map(([k, v]) => `${k} x${v}`)
        .join(", ") || "-";
    console.log(
      `\n${f}\n  sent ${s.sent}, served ${s.served}, failed ${s.failed} (${why})\n  rpm 10 key, 20 requests over both replicas: ${served} served (${served === 10 ? "exact" : "NOT exact"})\n  ${ledgerLine(ledger)}${forged}`,
    );
  }
} catch (err) {
  console.error(`chaos run stopped: ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  console.log(
    `\n| fault | sent | served | failed (why) | rpm 10: served of 20 | ledger: answered / stored / missing / doubled |\n|---|---|---|---|---|---|`,
  );
  for (const r of rows)
    console.log(
      `| ${r.f} | ${r.sent} | ${r.served} | ${r.failed} ${Object.entries(r.why)
        .map(([k, v]) => `${k} x${v}`)
        .join(
          ", ",
        )} | ${r.limit} | ${r.ledger.answered} / ${r.ledger.stored} / ${r.ledger.missing}${r.ledger.lost ? ` (+${r.ledger.lost} lost with the killed replica)` : ""} / ${r.ledger.doubled}${r.ledger.ok ? "" : " NOT exact"} |`,
    );
  console.log(`\nchaos run: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  for (const p of [...proxies, cp, worker]) p.child.kill("SIGKILL");
  await pool.end();
  await mock.close();
  await cont.cutMock.close();
  await Promise.all([nats.kill(), redis.kill(), postgres.kill()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
