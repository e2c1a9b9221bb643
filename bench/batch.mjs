// The `batch` scenario: a batch run by the router's own runner (standalone, in-process queue) against the
// mock upstream: its lines per second alone, and live traffic's p99 with and without the batch running
// (the runner sends its lines below live traffic: the added p99 must stay within 10%).
// Alone: npm run build && node bench/batch.mjs (BENCH_BATCH_LINES, default 10000; BENCH_BATCH_LIVE_S, default 10;
// BENCH_BATCH_LIVE_RATE, default 1000; BENCH_BATCH_ROUNDS, default 5). The proxy serves the lines in its
// batch lane (a child process at nice 19, the default); ROUTER_BATCH_LANE=off measures them in the proxy.
import { readFileSync, writeFileSync } from "node:fs";
import { setPriority } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { liveLoad, pct as quantile } from "./live-load.mjs";
import { median, startProcess, stopProcess, tmp } from "./processes.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const LINES = Number(process.env.BENCH_BATCH_LINES ?? 10_000);
const LIVE_S = Number(process.env.BENCH_BATCH_LIVE_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_BATCH_CONNECTIONS ?? 8);
const payload = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "Hello, how are you today?" }], max_tokens: 64 });

const mock = await startProcess("batch-mock", join(root, "libs/testing/dist/mock-upstream/cli.js"), {}, 1);
// The batch's lines go to an upstream of their own, at the lowest priority on the mock's core: a real
// provider's capacity is not the replica's, so the batch's answers must not slow live answers in the
// measurement (with one mock on the load generator's core, every batch line delayed every live answer
// there, whichever process sent it). BENCH_BATCH_SHARED_UPSTREAM=1 sends both to the one mock.
const SHARED = process.env.BENCH_BATCH_SHARED_UPSTREAM === "1";
const batchMock = SHARED ? mock : await startProcess("batch-mock-lines", join(root, "libs/testing/dist/mock-upstream/cli.js"), {}, 1);
if (!SHARED) setPriority(batchMock.child.pid, 19);
const cfg = join(tmp, "router-batch.yaml");
// The proxy's own record of each request (latency_ms from arrival to the last byte): the live p99 as the
// router saw it, apart from the load generator's own waits for a core.
const usageLog = join(tmp, "batch-usage.jsonl");
writeFileSync(
  cfg,
  `server: { access_log: false, usage_log: "${usageLog}" }\nproviders:\n  - { name: mock-upstream, type: openai-compatible, base_url: "http://127.0.0.1:${mock.port}/v1", api_key: sk-bench }\n  - { name: batch-upstream, type: openai-compatible, base_url: "http://127.0.0.1:${batchMock.port}/v1", api_key: sk-bench }\nmodels:\n  - { name: gpt-4o, providers: [{ provider: mock-upstream }] }\n  - { name: gpt-4o-batch, providers: [{ provider: batch-upstream }] }\n`,
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
    body: { model: "gpt-4o-batch", messages: [{ role: "user", content: `line ${i}` }], max_tokens: 64 },
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

// Live traffic at a fixed rate (BENCH_BATCH_LIVE_RATE, default 1000/s: the replica has room; the batch
// fills what live traffic leaves), without and with a batch running, in alternating rounds (the median
// of each: one round's p99 on a shared 2-core machine swings by more than the effect measured); then
// as fast as the connections go (saturated: batch lines get about one a second).
const live = (rate = 0) => liveLoad(url, payload, { connections: CONNECTIONS, seconds: LIVE_S, rate });
const RATE = Number(process.env.BENCH_BATCH_LIVE_RATE ?? 1000);
const ROUNDS = Number(process.env.BENCH_BATCH_ROUNDS ?? 5);
const cancel = (b) => fetch(`${url}/v1/batches/${b.id}/cancel`, { method: "POST" });
const linesDone = async (b) => {
  const c = (await (await fetch(`${url}/v1/batches/${b.id}`)).json()).request_counts;
  return c.completed + c.failed;
};

await live(RATE); // warm
// The proxy's event-loop lag max and GC pauses over a window (its /metrics, read before and after).
const lagGc = async () => {
  const m = await (await fetch(`${url}/metrics`)).text();
  const v = (re) => Number(m.match(re)?.[1] ?? 0);
  return {
    lagMax: v(/^ai_router_nodejs_eventloop_lag_max_seconds (\S+)/m) * 1000,
    // The window's (the histogram restarts at every read): how long a request arriving waits for the loop.
    lagP99: v(/^ai_router_nodejs_eventloop_lag_p99_seconds (\S+)/m) * 1000,
    majorS: v(/^ai_router_nodejs_gc_duration_seconds_sum\{kind="major"\} (\S+)/m),
    majorN: v(/^ai_router_nodejs_gc_duration_seconds_count\{kind="major"\} (\S+)/m),
  };
};
const rounds = [];
for (let i = 0; i < ROUNDS; i++) {
  await lagGc();
  const t0 = Date.now();
  const without = await live(RATE);
  const t1 = Date.now();
  const g0 = await lagGc();
  const b = await createBatch();
  await lagGc(); // the upload's own work is not the batch's run
  const t2 = Date.now();
  const withBatch = await live(RATE);
  const t3 = Date.now();
  const g1 = await lagGc();
  if (process.env.BENCH_BATCH_DEBUG) console.log(JSON.stringify({ without: without.p99, with: withBatch.p99, g0, g1 }));
  rounds.push({ without, withBatch, lines: await linesDone(b), windows: [t0, t1, t2, t3], lag: [g0.lagP99, g1.lagP99] });
  await cancel(b);
}
const satAlone = await live();
const satBatch = await createBatch();
const satDuring = await live();
const satLines = await linesDone(satBatch);
await cancel(satBatch);
const solo = await until(await createBatch());
await stopProcess(proxy);
await stopProcess(mock);
if (!SHARED) await stopProcess(batchMock);

// Live records (no batch id) that arrived in [from, to): their p99 latency as the proxy measured it.
const records = readFileSync(usageLog, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l))
  .filter((r) => !r.batch_id && r.status === 200)
  // added: arrival to last byte less the upstream attempt's own time (the router's share of the latency).
  .map((r) => ({ at: Date.parse(r.time), ms: r.latency_ms, added: r.latency_ms - (r.attempts.at(-1)?.latency_ms ?? 0) }));
const serverP99 = (from, to, field = "ms") => {
  const xs = records
    .filter((r) => r.at >= from && r.at < to)
    .map((r) => r[field])
    .sort((a, b) => a - b);
  return quantile(xs, 0.99);
};
for (const r of rounds) {
  const [t0, t1, t2, t3] = r.windows;
  r.server = { without: serverP99(t0, t1), withBatch: serverP99(t2, t3) };
  r.added = { without: serverP99(t0, t1, "added"), withBatch: serverP99(t2, t3, "added") };
}
const pct = (a, b) => `${a >= b ? "+" : ""}${(((a - b) / b) * 100).toFixed(1)}%`;
const p99w = median(rounds.map((r) => r.without.p99));
const p99b = median(rounds.map((r) => r.withBatch.p99));
const report = [
  `| measure | value |`,
  `|---|---:|`,
  `| batch lines | ${LINES} (${solo.s.request_counts.completed} completed), served by ${process.env.ROUTER_BATCH_LANE === "off" ? "the proxy (ROUTER_BATCH_LANE=off)" : "the batch lane"} |`,
  `| lines/s, no live traffic | ${Math.round((LINES / solo.ms) * 1000)} |`,
  `| lines/s beside ${RATE} live req/s (median of ${ROUNDS} rounds of ${LIVE_S} s; at most ${Math.round(LINES / LIVE_S)}: the whole batch in a round) | ${Math.round(median(rounds.map((r) => r.lines)) / LIVE_S)} |`,
  `| ${RATE} live req/s: p99 ms without / with a batch (medians) | ${p99w} / ${p99b} (${pct(p99b, p99w)}) |`,
  `| ${RATE} live req/s: p99 with / without, median of the rounds' ratios (target <= 1.10) | ${median(rounds.map((r) => r.withBatch.p99 / r.without.p99)).toFixed(2)} |`,
  `| ${RATE} live req/s: p99 ms by round, without / with | ${rounds.map((r) => `${r.without.p99} / ${r.withBatch.p99}`).join("; ")} |`,
  `| ${RATE} live req/s, the proxy's own latency: p99 with / without, median of the rounds' ratios | ${median(rounds.map((r) => r.server.withBatch / r.server.without)).toFixed(2)} |`,
  `| ${RATE} live req/s, the proxy's own latency: p99 ms by round, without / with | ${rounds.map((r) => `${r.server.without.toFixed(2)} / ${r.server.withBatch.toFixed(2)}`).join("; ")} |`,
  `| ${RATE} live req/s, the router's added latency (the proxy's own less the upstream attempt): p99 with / without, median of the rounds' ratios | ${median(rounds.map((r) => r.added.withBatch / r.added.without)).toFixed(2)} |`,
  `| ${RATE} live req/s, the router's added latency: p99 ms by round, without / with | ${rounds.map((r) => `${r.added.without.toFixed(3)} / ${r.added.withBatch.toFixed(3)}`).join("; ")} |`,
  `| ${RATE} live req/s: the proxy's event-loop delay p99, ms without / with a batch (median of rounds; by round) | ${median(rounds.map((r) => r.lag[0])).toFixed(2)} / ${median(rounds.map((r) => r.lag[1])).toFixed(2)} (${rounds.map((r) => r.lag.map((x) => x.toFixed(2)).join("/")).join("; ")}) |`,
  `| ${RATE} live req/s: p50 ms without / with (medians) | ${median(rounds.map((r) => r.without.p50))} / ${median(rounds.map((r) => r.withBatch.p50))} |`,
  `| saturated live (${CONNECTIONS} connections): req/s without / with a batch | ${satAlone.rps} / ${satDuring.rps} (${pct(satDuring.rps, satAlone.rps)}) |`,
  `| saturated live: p99 ms without / with | ${satAlone.p99} / ${satDuring.p99} (${pct(satDuring.p99, satAlone.p99)}) |`,
  `| saturated live: batch lines done in ${LIVE_S} s | ${satLines} |`,
];
console.log(report.join("\n"));
process.exit(0);
