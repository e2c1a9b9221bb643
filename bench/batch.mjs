// The `batch` scenario: a batch run by the router's own runner (standalone, in-process queue) against the
// mock upstream: its lines per second alone, and live traffic's p99 with and without the batch running
// (the runner sends its lines below live traffic: the added p99 must stay within 10%).
// Alone: npm run build && node bench/batch.mjs (BENCH_BATCH_LINES, default 10000; BENCH_BATCH_LIVE_S, default 10).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { startProcess, stopProcess, tmp } from "./processes.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const LINES = Number(process.env.BENCH_BATCH_LINES ?? 10_000);
const LIVE_S = Number(process.env.BENCH_BATCH_LIVE_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_BATCH_CONNECTIONS ?? 8);
const payload = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "Hello, how are you today?" }], max_tokens: 64 });

const mock = await startProcess("batch-mock", join(root, "libs/testing/dist/mock-upstream/cli.js"), {}, 1);
const cfg = join(tmp, "router-batch.yaml");
writeFileSync(
  cfg,
  `server: { access_log: false }\nproviders: [{ name: mock-upstream, type: openai-compatible, base_url: "http://127.0.0.1:${mock.port}/v1", api_key: sk-bench }]\nmodels: [{ name: gpt-4o, providers: [{ provider: mock-upstream }] }]\n`,
);
const proxy = await startProcess(
  "batch-proxy",
  join(root, "services/proxy/dist/main.js"),
  { ROUTER_CONFIG: cfg, PORT: "0", HOST: "127.0.0.1", ROUTER_DATA_DIR: join(tmp, "batch-data") },
  0,
);
const url = `http://127.0.0.1:${proxy.port}`;

const lines = Array.from({ length: LINES }, (_, i) =>
  JSON.stringify({
    custom_id: `r${i}`,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model: "gpt-4o", messages: [{ role: "user", content: `line ${i}` }], max_tokens: 64 },
  }),
).join("\n");

async function createBatch() {
  const form = new FormData();
  form.set("purpose", "batch");
  form.set("file", new Blob([lines]), "in.jsonl");
  const file = await (await fetch(`${url}/v1/files`, { method: "POST", body: form })).json();
  const res = await fetch(`${url}/v1/batches`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" }),
  });
  return { id: (await res.json()).id, t0: performance.now() };
}

async function until(b) {
  for (;;) {
    const s = await (await fetch(`${url}/v1/batches/${b.id}`)).json();
    if (s.status === "completed") return { s, ms: performance.now() - b.t0 };
    if (["failed", "cancelled", "expired"].includes(s.status)) throw new Error(`batch ${s.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const live = () =>
  autocannon({
    url: `${url}/v1/chat/completions`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: payload,
    connections: CONNECTIONS,
    duration: LIVE_S,
  });

await live(); // warm
const alone = await live();
const running = await createBatch();
const during = await live();
const first = await until(running);
const solo = await until(await createBatch());
await stopProcess(proxy);
await stopProcess(mock);

const p99 = (r) => r.latency.p99;
const report = [
  `| measure | value |`,
  `|---|---:|`,
  `| batch lines | ${LINES} |`,
  `| lines/s, no live traffic | ${Math.round((LINES / solo.ms) * 1000)} |`,
  `| lines/s, under live traffic (${CONNECTIONS} connections) | ${Math.round((LINES / first.ms) * 1000)} |`,
  `| live p99 ms without a batch | ${p99(alone)} |`,
  `| live p99 ms while the batch runs | ${p99(during)} |`,
  `| live p99 added | ${(((p99(during) - p99(alone)) / p99(alone)) * 100).toFixed(1)}% |`,
  `| live req/s without / with | ${Math.round(alone.requests.average)} / ${Math.round(during.requests.average)} |`,
  `| batch counts | ${JSON.stringify(first.s.request_counts)} |`,
];
console.log(report.join("\n"));
process.exit(0);
