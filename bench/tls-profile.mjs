// The TLS profile of `npm run bench` (also alone: `node bench/tls-profile.mjs` after `npm run build`):
// the mock upstream over HTTPS with a certificate of a private CA the bench makes (openssl, a temporary
// folder), our router (ca_file) and the floor (bench/floor-proxy.mjs, CA_FILE) in front of it, over
// HTTPS/1.1 and over HTTP/2 (ALPN h2); JSON and SSE. The process under test gets core 0, the mock and
// the load generator core 1. Interleaved rounds; CPU per request of ours against the floor's.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeTestCertificates } from "@ai-router/testing";
import autocannon from "autocannon";

const root = fileURLToPath(new URL("..", import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const pin = cpus().length >= 2 && existsSync("/usr/bin/taskset");
const tmp = mkdtempSync(join(tmpdir(), "ai-router-bench-tls-"));
const certs = makeTestCertificates(mkdtempSync(join(tmp, "ca-")));
if (pin) execFileSync("taskset", ["-p", "-c", "1", String(process.pid)], { stdio: "ignore" });
const children = [];
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

async function start(name, script, env, core) {
  const log = join(tmp, `${name.replace(/[^a-z0-9.-]/gi, "_")}.log`);
  const fd = openSync(log, "w");
  const child = spawn(pin ? "taskset" : process.execPath, pin ? ["-c", String(core), process.execPath, script] : [script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", fd, fd],
  });
  children.push(child);
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const m = /"port":(\d+)/.exec(readFileSync(log, "utf8"));
    if (m) return { url: `http://127.0.0.1:${m[1]}`, pid: child.pid };
  }
  throw new Error(`${name} did not start: ${readFileSync(log, "utf8")}`);
}
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
};
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const body = (mode) =>
  JSON.stringify({
    model: "gpt-4o",
    messages: [{ role: "user", content: "Hello, how are you today? Tell me something nice." }],
    max_tokens: 64,
    stream: mode === "sse",
    ...(mode === "sse" ? { stream_options: { include_usage: true } } : {}),
  });

async function once(target, mode) {
  const before = cpuMs(target.pid);
  const r = await autocannon({
    url: `${target.url}/v1/chat/completions`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body(mode),
    connections: CONNECTIONS,
    duration: DURATION,
  });
  const total = r.requests.total;
  return {
    rps: r.requests.average,
    cpuUsPerReq: total ? ((cpuMs(target.pid) - before) * 1000) / total : null,
    errors: r.errors + r.non2xx,
  };
}

const rows = [];
// TLS_PROTOS=h1,h2 and TLS_MODES=json,sse pick some (all by default).
const PROTOS = (process.env.TLS_PROTOS ?? "h1,h2").split(",");
const MODES = (process.env.TLS_MODES ?? "json,sse").split(",");
for (const http2 of [false, true].filter((h) => PROTOS.includes(h ? "h2" : "h1"))) {
  const proto = http2 ? "HTTP/2" : "HTTPS/1.1";
  const mock = await start(
    `mock-${proto}`,
    join(root, "libs/testing/dist/mock-upstream/cli.js"),
    {
      TLS_KEY: join(certs.dir, "server.key"),
      TLS_CERT: join(certs.dir, "server.pem"),
      HTTP2: http2 ? "1" : "0",
    },
    1,
  );
  const upstream = `${mock.url.replace("http:", "https:")}/v1`;
  const floor = await start(
    `floor-${proto}`,
    join(root, "bench/floor-proxy.mjs"),
    { UPSTREAM: upstream, CA_FILE: certs.caFile, HTTP2: http2 ? "1" : "0" },
    0,
  );
  const cfg = join(tmp, `router-${http2 ? "h2" : "h1"}.yaml`);
  writeFileSync(
    cfg,
    `providers: [{ name: mock-tls, type: openai-compatible, base_url: "${upstream}", api_key: sk-bench, ca_file: "${certs.caFile}", http2: ${http2 ? "on" : "off"} }]\nmodels: [{ name: gpt-4o, providers: [{ provider: mock-tls }] }]\n`,
  );
  const ours = await start(
    `ours-${proto}`,
    join(root, "services/proxy/dist/main.js"),
    { ROUTER_CONFIG: cfg, PORT: "0", HOST: "127.0.0.1" },
    0,
  );
  for (const mode of MODES) {
    process.stderr.write(`TLS profile ${proto} ${mode}: ${ROUNDS} rounds of ${DURATION}s per target ...\n`);
    for (const t of [floor, ours]) await once(t, mode); // warm-up (JIT, connections, TLS sessions)
    const runs = { floor: [], ours: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? ["ours", "floor"] : ["floor", "ours"];
      for (const name of order) runs[name].push(await once(name === "ours" ? ours : floor, mode));
    }
    const per = runs.ours.map((o, i) => o.cpuUsPerReq / runs.floor[i].cpuUsPerReq);
    rows.push({
      proto,
      mode,
      ours: { rps: median(runs.ours.map((r) => r.rps)), cpu: median(runs.ours.map((r) => r.cpuUsPerReq)) },
      floor: { rps: median(runs.floor.map((r) => r.rps)), cpu: median(runs.floor.map((r) => r.cpuUsPerReq)) },
      ratio: median(per),
      min: Math.min(...per),
      max: Math.max(...per),
      errors: { ours: runs.ours.reduce((a, r) => a + r.errors, 0), floor: runs.floor.reduce((a, r) => a + r.errors, 0) },
    });
  }
}
const f = (n, d = 0) => (n === null || n === undefined ? "-" : n.toFixed(d));
const out = [
  `TLS profile: mock upstream over TLS (private CA via ca_file), ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${DURATION}s per target, medians (node ${process.version}, pinned: ${pin})`,
  "",
  "| upstream | mode | req/s ours / floor | CPU us/req ours / floor | ratio: median of rounds (target <= 1.33) | rounds | errors ours / floor |",
  "|---|---|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.proto} | ${r.mode === "json" ? "JSON" : "SSE"} | ${f(r.ours.rps)} / ${f(r.floor.rps)} | ${f(r.ours.cpu, 1)} / ${f(r.floor.cpu, 1)} | ${r.ratio.toFixed(2)} | ${r.min.toFixed(2)}-${r.max.toFixed(2)} | ${r.errors.ours} / ${r.errors.floor} |`,
  ),
].join("\n");
console.log(out);
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/tls-latest.md"), `${out}\n`);
process.exit(0);
