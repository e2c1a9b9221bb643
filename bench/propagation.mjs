#!/usr/bin/env node
// Propagation benchmark: time from the admin API's 200 (a new model) to both proxies routing it.
// Starts its own database, control plane and two proxies on the local Postgres/NATS (private bucket).
// Usage: npm run build && node bench/propagation.mjs [changes=20]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import pg from "pg";

const changes = Number(process.argv[2] ?? 20);
const at = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const pgAdmin = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const tag = `bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
const token = randomBytes(16).toString("hex");
const common = {
  NATS_URL: natsUrl,
  ROUTER_NATS_BUCKET: tag,
  ROUTER_MASTER_KEY: randomBytes(32).toString("hex"),
  LOG_LEVEL: "warn",
  HOST: "127.0.0.1",
  PORT: "0",
};

async function sql(q) {
  const c = new pg.Client({ connectionString: pgAdmin });
  await c.connect();
  await c.query(q);
  await c.end();
}
function launch(file, env) {
  const child = spawn(process.execPath, [at(file)], {
    env: { ...process.env, ...common, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${out}`)), 60_000);
    const on = (d) => {
      out += d;
      const m = /"port":(\d+)[^\n]*listening/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${m[1]}` });
      }
    };
    child.stdout.on("data", on);
    child.stderr.on("data", on);
    child.once("exit", (c) => reject(new Error(`${file} exited ${c}:\n${out}`)));
  });
}
async function chat(url, model) {
  const r = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  await r.arrayBuffer();
  return r.status;
}
async function untilServed(url, model) {
  for (;;) {
    if ((await chat(url, model)) === 200) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

const dbUrl = new URL(pgAdmin);
dbUrl.pathname = `/${tag}`;
await sql(`CREATE DATABASE "${tag}"`);
const procs = [];
try {
  const cp = await launch("services/control-plane/dist/main.js", { DATABASE_URL: dbUrl.toString(), ROUTER_ADMIN_TOKEN: token });
  procs.push(cp.child);
  const targets = [];
  for (let i = 0; i < 2; i++) {
    const proxy = await launch("services/proxy/dist/main.js", { CONTROL_PLANE_URL: cp.url });
    procs.push(proxy.child);
    targets.push(proxy.url);
  }
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const post = (path, body) => fetch(`${cp.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) }).then((r) => r.json());
  const p = await post("/v1/db/providers", { name: "local", adapter: "mock" });
  const ms = [];
  for (let i = 0; i < changes; i++) {
    const name = `bench-${i}`;
    const r = await fetch(`${cp.url}/v1/db/models`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name, provider_id: p.provider_id }),
    });
    await r.arrayBuffer();
    const t0 = performance.now();
    await Promise.all(targets.map((u) => untilServed(u, name)));
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const q = (f) => ms[Math.min(ms.length - 1, Math.ceil(ms.length * f) - 1)];
  const fmt = (v) => `${v.toFixed(1)} ms`;
  console.log(
    `propagation over ${changes} changes (API 200 -> both proxies serving): p50 ${fmt(q(0.5))}, p90 ${fmt(q(0.9))}, p99 ${fmt(q(0.99))}, max ${fmt(ms[ms.length - 1])}`,
  );
  console.log(q(0.99) < 200 ? "target met: p99 < 200 ms" : "target missed: p99 >= 200 ms");
} finally {
  for (const c of procs) c.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 500));
  await sql(`DROP DATABASE IF EXISTS "${tag}" WITH (FORCE)`).catch(() => {});
  const nc = await connect({ servers: natsUrl }).catch(() => undefined);
  if (nc) {
    await new Kvm(nc)
      .open(tag)
      .then((kv) => kv.destroy())
      .catch(() => {});
    await nc.close();
  }
}
