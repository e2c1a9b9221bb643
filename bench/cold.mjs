// The `cold` scenario: what a freshly started replica adds per request, measured the way a third-party
// overhead harness does it: sequential requests to a gateway just started, 15 warm-up requests, then 7
// rounds of 25, and the median of the round medians. Ours (with and without the start-up warm-up) and
// the floor proxy, each a new process per run, against the mock upstream measured the same way; then
// each process is driven hard for a few seconds and measured again: its warm figure.
// Alone: BENCH_ONLY=cold node bench/run.mjs (BENCH_COLD_RUNS fresh processes per target, default 5;
// BENCH_COLD_DELAY_MS waits that long after a process listens before measuring it).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { Client } from "undici";
import { median, startProcess, stopProcess, tmp } from "./processes.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const WARMUP_REQUESTS = 15;
const ROUNDS = 7;
const PER_ROUND = 25;
/** Seconds of load that make a process "warm" before its second measurement. */
const HEAT_S = Number(process.env.BENCH_COLD_HEAT_S ?? 3);

const payload = JSON.stringify({
  model: "gpt-4o",
  messages: [{ role: "user", content: "Hello, how are you today? Tell me something nice." }],
  max_tokens: 64,
});

/** The harness's method on one new keep-alive connection: ms, the median of the round medians. */
async function sequentialMedian(url) {
  const client = new Client(url, { pipelining: 1 });
  const once = async () => {
    const t0 = process.hrtime.bigint();
    const r = await client.request({
      path: "/v1/chat/completions",
      method: "POST",
      headers: { "content-type": "application/json" },
      body: payload,
    });
    await r.body.dump();
    if (r.statusCode !== 200) throw new Error(`status ${r.statusCode} from ${url}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  for (let i = 0; i < WARMUP_REQUESTS; i++) await once();
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const s = [];
    for (let i = 0; i < PER_ROUND; i++) s.push(await once());
    rounds.push(median(s));
  }
  await client.close();
  return median(rounds);
}

const heat = (url) =>
  autocannon({
    url: `${url}/v1/chat/completions`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: payload,
    connections: 8,
    duration: HEAT_S,
  });

/** Runs the cold scenario with the router build at `proxyMain`; returns the report's lines. */
export async function coldScenario(proxyMain) {
  const mock = await startProcess("cold-mock", join(root, "libs/testing/dist/mock-upstream/cli.js"), {}, 1);
  const mockUrl = `http://127.0.0.1:${mock.port}`;
  const cfg = join(tmp, "router-cold.yaml");
  writeFileSync(
    cfg,
    `providers: [{ name: mock-upstream, type: openai-compatible, base_url: "${mockUrl}/v1", api_key: sk-bench }]\nmodels: [{ name: gpt-4o, providers: [{ provider: mock-upstream }] }]\n`,
  );
  const env = { ROUTER_CONFIG: cfg, PORT: "0", HOST: "127.0.0.1" };
  const starters = {
    floor: () => startProcess("cold-floor", join(root, "bench/floor-proxy.mjs"), { UPSTREAM: `${mockUrl}/v1`, PORT: "0" }, 0),
    ours: () => startProcess("cold-ours", proxyMain, env, 0),
    "ours (ROUTER_WARMUP=0)": () => startProcess("cold-ours-nowarm", proxyMain, Object.assign({ ROUTER_WARMUP: "0" }, env), 0),
  };
  // BENCH_BASELINE_MAIN: the previous build, fresh processes measured in the same runs.
  const baseline = process.env.BENCH_BASELINE_MAIN;
  if (baseline) starters["baseline (BENCH_BASELINE_MAIN)"] = () => startProcess("cold-baseline", baseline, env, 0);
  const names = Object.keys(starters);
  const added = Object.fromEntries(names.map((n) => [n, { cold: [], warm: [], startMs: [] }]));
  // Warm the mock (and this process's client code) once; it is measured beside every target.
  await sequentialMedian(mockUrl);
  for (let run = 0; run < RUNS; run++) {
    process.stderr.write(`cold: run ${run + 1}/${RUNS} ...\n`);
    const order = run % 2 ? [...names].reverse() : names;
    for (const name of order) {
      const p = await starters[name]();
      const url = `http://127.0.0.1:${p.port}`;
      if (process.env.BENCH_COLD_DELAY_MS) await new Promise((r) => setTimeout(r, Number(process.env.BENCH_COLD_DELAY_MS)));
      const cold = await sequentialMedian(url);
      const direct = await sequentialMedian(mockUrl);
      await heat(url);
      const warm = await sequentialMedian(url);
      const direct2 = await sequentialMedian(mockUrl);
      await stopProcess(p);
      added[name].cold.push(cold - direct);
      added[name].warm.push(warm - direct2);
      added[name].startMs.push(p.startMs);
    }
  }
  await stopProcess(mock);
  const f = (n) => n.toFixed(3);
  const lines = [
    `cold: ${RUNS} fresh processes per target; per process ${WARMUP_REQUESTS} warm-up requests, then ${ROUNDS} rounds of ${PER_ROUND} sequential requests, the median of the round medians; ms added over the mock measured the same way; warm = the same process after ${HEAT_S}s of load`,
    "",
    "| target | added ms, fresh process | added ms, warm | fresh / warm | start to listening, ms |",
    "|---|---:|---:|---:|---:|",
  ];
  for (const name of names) {
    const c = median(added[name].cold);
    const w = median(added[name].warm);
    lines.push(`| ${name} | ${f(c)} | ${f(w)} | ${(c / w).toFixed(2)} | ${Math.round(median(added[name].startMs))} |`);
  }
  const ours = added.ours;
  const ratio = median(ours.cold) / median(ours.warm);
  lines.push(
    "",
    `fresh router / its own warm figure: ${ratio.toFixed(2)} (target <= 1.2); fresh router / fresh floor: ${(median(ours.cold) / median(added.floor.cold)).toFixed(2)}`,
  );
  if (baseline) {
    const b = added["baseline (BENCH_BASELINE_MAIN)"];
    lines.push(
      `the previous build, fresh / its own warm figure: ${(median(b.cold) / median(b.warm)).toFixed(2)}; fresh router / fresh previous build: ${(median(ours.cold) / median(b.cold)).toFixed(2)}`,
    );
  }
  return lines;
}
