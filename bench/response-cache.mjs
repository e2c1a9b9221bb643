// The response cache's cost (docs/response-cache.md#cost): one router process (services/proxy/dist/main.js,
// or ROUTER_MAIN) in front of bench/upstream-b.mjs, autocannon for DURATION_S per scenario, the router's
// CPU per request from /proc. Scenarios: a model without a cache (JSON, SSE), a cached model answering
// from its cache (JSON, SSE replayed), and the same model missing every time (`cache-control: no-cache`:
// the lookup skipped, the answer sent upstream and stored). SCENARIOS=plain-json,hit-json picks some.
// Run: npm run build && node bench/response-cache.mjs
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { cpuMs, startProcess, stopProcess, tmp } from "./processes.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const DURATION_S = Number(process.env.DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const MAIN = process.env.ROUTER_MAIN ?? join(root, "services/proxy/dist/main.js");

const upstream = await startProcess("upstream", join(root, "bench/upstream-b.mjs"), {}, 0);
const config = join(tmp, "router.json");
writeFileSync(
  config,
  JSON.stringify({
    server: { access_log: false },
    providers: [{ name: "b", type: "openai-compatible", base_url: `http://127.0.0.1:${upstream.port}/v1`, api_key: "sk-bench" }],
    models: [
      { name: "plain", providers: [{ provider: "b", model: "gpt-4o" }] },
      ...(process.env.ROUTER_MAIN ? [] : [{ name: "cached", cache: { ttl_s: 3600 }, providers: [{ provider: "b", model: "gpt-4o" }] }]),
    ],
  }),
);
const router = await startProcess("router", MAIN, { ROUTER_CONFIG: config, PORT: "0", HOST: "127.0.0.1", ROUTER_WARMUP: "0" }, 1);
const url = `http://127.0.0.1:${router.port}/v1/chat/completions`;
const body = (model, stream) =>
  JSON.stringify({ model, stream, messages: [{ role: "user", content: "What is the capital of France? Answer in one word." }] });

const scenarios = {
  "plain-json": { body: body("plain", false) },
  "plain-sse": { body: body("plain", true) },
  "hit-json": { body: body("cached", false) },
  "hit-sse": { body: body("cached", true) },
  "miss-json": { body: body("cached", false), headers: { "cache-control": "no-cache" } },
  "miss-sse": { body: body("cached", true), headers: { "cache-control": "no-cache" } },
};
const picked = (process.env.SCENARIOS ?? Object.keys(scenarios).join(",")).split(",").filter((s) => scenarios[s]);
if (process.env.ROUTER_MAIN) picked.splice(0, picked.length, ...picked.filter((s) => s.startsWith("plain")));

const rows = [];
// A fresh process compiles its request path during its first seconds: warmed up before any measurement.
await autocannon({
  url,
  method: "POST",
  headers: { "content-type": "application/json" },
  body: body("plain", false),
  connections: CONNECTIONS,
  duration: 3,
});
for (const name of picked) {
  const s = scenarios[name];
  const headers = Object.assign({ "content-type": "application/json" }, s.headers);
  // Warm-up (and the entry a hit scenario replays).
  await autocannon({ url, method: "POST", headers, body: s.body, connections: CONNECTIONS, duration: 1 });
  const cpu0 = cpuMs(router.child.pid);
  const r = await autocannon({ url, method: "POST", headers, body: s.body, connections: CONNECTIONS, duration: DURATION_S });
  const cpu = cpuMs(router.child.pid) - cpu0;
  const n = r.requests.total;
  rows.push({
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    cpuUsPerReq: n ? Math.round(((cpu * 1000) / n) * 10) / 10 : 0,
    errors: r.errors + r.non2xx,
  });
}
await stopProcess(router);
await stopProcess(upstream);
process.stdout.write("| scenario | req/s | p50 ms | p99 ms | CPU us/req | errors |\n|---|---|---|---|---|---|\n");
for (const x of rows) process.stdout.write(`| ${x.name} | ${x.rps} | ${x.p50} | ${x.p99} | ${x.cpuUsPerReq} | ${x.errors} |\n`);
