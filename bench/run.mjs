// npm run bench: autocannon against the mock upstream directly, a bare pass-through proxy (the floor)
// and our proxy in front of the same mock; JSON and SSE. The process under test gets core 0, the mock
// and the load generator core 1. Targets take turns in interleaved rounds; medians of req/s, p50, p99, the process's
// CPU time per request, and peak RSS.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "undici";
import { audioScenario } from "./audio.mjs";
import { coldScenario } from "./cold.mjs";
import { body, DURATION, measurer, ROUNDS } from "./load.mjs";
import { median, pin, startProcess, tmp } from "./processes.mjs";
import { websocketScenario } from "./websocket.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
// The router under test: this tree's build, or another one's (e.g. a worktree of an earlier commit) to
// compare two versions with the same harness, mock and floor.
const PROXY_MAIN = process.env.BENCH_PROXY_MAIN ?? join(root, "services/proxy/dist/main.js");

// BENCH_ONLY=cold (bench/cold.mjs: fresh replicas) or audio (bench/audio.mjs: upload RSS, speech TTFB) alone.
const only = { cold: coldScenario, audio: audioScenario }[process.env.BENCH_ONLY ?? ""];
if (only) {
  const lines = await only(PROXY_MAIN);
  console.log(lines.join("\n"));
  mkdirSync(join(root, "bench/results"), { recursive: true });
  writeFileSync(join(root, `bench/results/${process.env.BENCH_ONLY}.md`), `${lines.join("\n")}\n`);
  process.exit(0);
}

// BENCH_ONLY=websocket: only the WebSocket scenario (bench/websocket.mjs).
if (process.env.BENCH_ONLY === "websocket") {
  const lines = await websocketScenario(PROXY_MAIN);
  console.log(lines.join("\n"));
  mkdirSync(join(root, "bench/results"), { recursive: true });
  writeFileSync(join(root, "bench/results/websocket.md"), `${lines.join("\n")}\n`);
  process.exit(0);
}

const mock = await startProcess("mock", join(root, "libs/testing/dist/mock-upstream/cli.js"), {}, 1);
const mockUrl = `http://127.0.0.1:${mock.port}`;
const floor = await startProcess("floor", join(root, "bench/floor-proxy.mjs"), { UPSTREAM: `${mockUrl}/v1`, PORT: "0" }, 0);
const cfg = join(tmp, "router.yaml");
writeFileSync(
  cfg,
  `providers: [{ name: mock-upstream, type: openai-compatible, base_url: "${mockUrl}/v1", api_key: sk-bench${process.env.BENCH_PROVIDER_EXTRA ?? ""} }]\nmodels: [{ name: gpt-4o, providers: [{ provider: mock-upstream }] }]\n`,
);
const ours = await startProcess("ours", PROXY_MAIN, { ROUTER_CONFIG: cfg, PORT: "0", HOST: "127.0.0.1" }, 0);
// Profile B: another upstream shape (bench/upstream-b.mjs), its own floor and router processes.
const upB = await startProcess("upstream-b", join(root, "bench/upstream-b.mjs"), { PORT: "0" }, 1);
const upBUrl = `http://127.0.0.1:${upB.port}`;
const cfgB = join(tmp, "router-b.yaml");
writeFileSync(
  cfgB,
  `${process.env.BENCH_NO_USAGE_LOG ? "" : `server: { usage_log: "${join(tmp, "usage-b.jsonl")}" }\n`}providers: [{ name: upstream-b, type: openai-compatible, base_url: "${upBUrl}/v1", api_key: sk-bench }]\nmodels: [{ name: gpt-4o, providers: [{ provider: upstream-b, price: { input_per_mtok: 1, output_per_mtok: 2 } }] }]\n`,
);
// Profile B's processes are started anew for every fixed-load round (see measureAll's `fresh`).
const startersB = {
  "b-floor": () => startProcess("floor-b", join(root, "bench/floor-proxy.mjs"), { UPSTREAM: `${upBUrl}/v1`, PORT: "0" }, 0),
  "b-ours": () => startProcess("ours-b", PROXY_MAIN, { ROUTER_CONFIG: cfgB, PORT: "0", HOST: "127.0.0.1" }, 0),
};
const floorB = await startersB["b-floor"]();
const oursB = await startersB["b-ours"]();

// BENCH_BASELINE_MAIN: another build of the router (an earlier commit's worktree) measured in the same
// rounds as ours, beside it: the before/after ratio of CPU per request without run-to-run noise. It gets
// the same configs as ours, profile B's `usage_log` included (its own file); BENCH_BASELINE_NO_USAGE_LOG=1
// leaves `usage_log` out of its config, for a release that does not know it. (Until 2026-12-07 the
// baseline ran without `usage_log` unless asked: ours / baseline in profile B then charged ours for a
// JSONL line a request the baseline did not write.)
const BASELINE = process.env.BENCH_BASELINE_MAIN;
let base;
let baseB;
if (BASELINE) {
  const cfgBase = join(tmp, "router-base-b.yaml");
  const noLog = process.env.BENCH_BASELINE_NO_USAGE_LOG === "1";
  writeFileSync(cfgBase, readFileSync(cfgB, "utf8").replace(noLog ? /^server: .*\n/m : "usage-b.jsonl", noLog ? "" : "usage-base-b.jsonl"));
  base = await startProcess("base", BASELINE, { ROUTER_CONFIG: cfg, PORT: "0", HOST: "127.0.0.1" }, 0);
  startersB["b-base"] = () => startProcess("base-b", BASELINE, { ROUTER_CONFIG: cfgBase, PORT: "0", HOST: "127.0.0.1" }, 0);
  baseB = await startersB["b-base"]();
}
const withBase = (names) =>
  BASELINE ? [...names, ...names.filter((n) => n === "ours" || n === "b-ours").map((n) => (n === "ours" ? "base" : "b-base"))] : names;

const targets = {
  mock: { url: mockUrl, pid: undefined },
  ...(base
    ? {
        base: { url: `http://127.0.0.1:${base.port}`, pid: base.child.pid },
        "b-base": { url: `http://127.0.0.1:${baseB.port}`, pid: baseB.child.pid, child: baseB.child },
      }
    : {}),
  floor: { url: `http://127.0.0.1:${floor.port}`, pid: floor.child.pid },
  ours: { url: `http://127.0.0.1:${ours.port}`, pid: ours.child.pid },
  "b-floor": { url: `http://127.0.0.1:${floorB.port}`, pid: floorB.child.pid, child: floorB.child },
  "b-ours": { url: `http://127.0.0.1:${oursB.port}`, pid: oursB.child.pid, child: oursB.child },
};

/** Replaces a profile B target's process with a new one. */
async function restart(name) {
  const t = targets[name];
  const exited = new Promise((r) => t.child.once("exit", r));
  t.child.kill("SIGKILL");
  await exited;
  const p = await startersB[name]();
  Object.assign(t, { url: `http://127.0.0.1:${p.port}`, pid: p.child.pid, child: p.child });
}
// With taskset the child pid is taskset's, which execs node: same pid.
const measureAll = measurer(targets, restart);

const results = {};
for (const mode of ["json", "sse", "sse-inject"]) {
  process.stderr.write(`${mode} c=${CONNECTIONS}: ${ROUNDS} rounds of ${DURATION}s per target ...\n`);
  const r = await measureAll(withBase(["mock", "floor", "ours"]), mode, CONNECTIONS);
  for (const [name, v] of Object.entries(r)) results[`${mode}/${name}`] = v;
}
// Profile B at a fixed offered load: half of our router's saturated rate, the same for the floor, so
// neither batches more work per event-loop turn than the other; CPU per request is then comparable.
// More rounds than the saturated modes (a fixed load leaves the figure more exposed to the VM's noise),
// each with new processes, and the ratio is the median of the per-round ratios: each round measures
// both back to back.
const ROUNDS_B = Number(process.env.BENCH_ROUNDS_B ?? 5);
const fixed = {};
for (const mode of ["json", "sse"]) {
  process.stderr.write(`profile B ${mode}: saturated rate, then a fixed load at half of it ...\n`);
  // Both at their saturated rate first: the rate to offer, and each one's peak RSS flat out.
  const sat = await measureAll(["b-floor", "b-ours"], mode, CONNECTIONS);
  for (const [name, v] of Object.entries(sat)) results[`B-${mode}-saturated/${name}`] = v;
  const rate = Math.max(100, Math.round(sat["b-ours"].rps / 2));
  const r = await measureAll(withBase(["b-floor", "b-ours"]), mode, CONNECTIONS, rate, ROUNDS_B, true);
  fixed[mode] = { rate, floor: r["b-floor"], ours: r["b-ours"] };
  for (const [name, v] of Object.entries(r)) results[`B-${mode}@${rate}/${name}`] = v;
}
process.stderr.write("json c=1 ...\n");
for (const [name, v] of Object.entries(await measureAll(["mock", "floor", "ours"], "json", 1))) results[`c1/${name}`] = v;

// Added latency: the median of timed one-at-a-time requests over one keep-alive connection, the three
// targets interleaved in rounds so that a noisy moment hits them alike.
async function medianLatencies(rounds, perRound) {
  const clients = Object.fromEntries(
    Object.entries(targets)
      .filter(([k]) => !k.startsWith("b-"))
      .map(([k, t]) => [k, new Client(t.url, { pipelining: 1 })]),
  );
  const samples = { mock: [], floor: [], ours: [] };
  const payload = body("json");
  const once = async (client) => {
    const t0 = process.hrtime.bigint();
    const r = await client.request({
      path: "/v1/chat/completions",
      method: "POST",
      headers: { "content-type": "application/json" },
      body: payload,
    });
    await r.body.dump();
    if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(samples)) {
      for (let i = 0; i < perRound; i++) {
        const ms = await once(clients[name]);
        if (round > 0) samples[name].push(ms); // round 0 warms the connections up
      }
    }
  }
  for (const c of Object.values(clients)) await c.close();
  const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}
process.stderr.write("json c=1 timed requests (median) ...\n");
const p50 = await medianLatencies(21, 200);
// The same with every process on one core: no cross-core wake-ups on the extra hop, so what is left is
// the proxies' own work (on a VM an inter-core wake-up alone costs tens of microseconds).
let p50OneCore;
if (pin) {
  for (const t of [floor, ours]) execFileSync("taskset", ["-p", "-c", "1", String(t.child.pid)], { stdio: "ignore" });
  process.stderr.write("json c=1 timed requests, one core (median) ...\n");
  p50OneCore = await medianLatencies(21, 200);
}

const f = (n, d = 0) => (n === null || n === undefined ? "-" : n.toFixed(d));
const lines = [`| scenario | req/s | p50 ms | p99 ms | CPU us/req | peak RSS MB | errors |`, `|---|---:|---:|---:|---:|---:|---:|`];
for (const [k, r] of Object.entries(results))
  lines.push(`| ${k} | ${f(r.rps)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.cpuUsPerReq, 1)} | ${f(r.rssMb, 1)} | ${r.errors} |`);
/** The median of per-round ratios of CPU per request (a / b), and their range. */
const roundRatios = (a, b) => {
  const per = a.rounds.map((r, i) => r.cpuUsPerReq / b.rounds[i].cpuUsPerReq);
  return { median: median(per), min: Math.min(...per), max: Math.max(...per) };
};
const ratio = (mode) => {
  const o = results[`${mode}/ours`];
  const fl = results[`${mode}/floor`];
  // Per round, ours against the floor measured beside it: how far one run can stray.
  const rr = roundRatios(o, fl);
  return { rps: o.rps / fl.rps, cpu: o.cpuUsPerReq / fl.cpuUsPerReq, cpuMin: rr.min, cpuMax: rr.max };
};
const spread = (r) => `${r.cpu.toFixed(2)} (rounds ${r.cpuMin.toFixed(2)}-${r.cpuMax.toFixed(2)})`;
const rj = ratio("json");
const rs = ratio("sse");
const ri = ratio("sse-inject");
// autocannon's percentiles are whole milliseconds: the medians come from the timed requests above.
const addedP50 = p50.ours - p50.mock;
const addedFloor = p50.floor - p50.mock;
/** Ours against the baseline build measured in the same rounds: CPU per request, per round and median. */
function baselineTable() {
  const rows = [
    `| ours / baseline (${BASELINE}) | CPU us/req ours / baseline (medians) | ratio: median of rounds (budget <= 1.05) | rounds |`,
    `|---|---:|---:|---:|`,
  ];
  for (const [k, o] of Object.entries(results)) {
    if (!k.endsWith("/ours") && !k.endsWith("/b-ours")) continue;
    const b = results[k.replace(/\/(b-)?ours$/, (_m, p) => `/${p ?? ""}base`)];
    if (!b) continue;
    const rr = roundRatios(o, b);
    rows.push(
      `| ${k.replace(/\/(b-)?ours$/, "")} | ${f(o.cpuUsPerReq, 1)} / ${f(b.cpuUsPerReq, 1)} | ${rr.median.toFixed(2)} | ${rr.min.toFixed(2)}-${rr.max.toFixed(2)} |`,
    );
  }
  return rows;
}

const summary = [
  "",
  `| ratio ours/floor | req/s (target >= 0.75) | CPU us/req (target <= 1.33) |`,
  `|---|---:|---:|`,
  `| JSON | ${rj.rps.toFixed(2)} | ${spread(rj)} |`,
  `| SSE (client asks for usage) | ${rs.rps.toFixed(2)} | ${spread(rs)} |`,
  `| SSE (router asks for usage and strips it) | ${ri.rps.toFixed(2)} | ${spread(ri)} |`,
  "",
  `| profile B, fixed offered load (half our saturated rate), ${ROUNDS_B} rounds | req/s | CPU us/req ours / floor (medians) | ratio: median of rounds (target <= 1.33) | rounds | peak RSS MB ours / floor: fixed load, saturated |`,
  `|---|---:|---:|---:|---:|---:|`,
  ...Object.entries(fixed).map(([mode, v]) => {
    const rr = roundRatios(v.ours, v.floor);
    const sat = (n) => f(results[`B-${mode}-saturated/${n}`].rssMb, 1);
    return `| ${mode === "json" ? "JSON" : "SSE with usage"} @ ${v.rate}/s | ${f(v.ours.rps)} | ${f(v.ours.cpuUsPerReq, 1)} / ${f(v.floor.cpuUsPerReq, 1)} | ${rr.median.toFixed(2)} | ${rr.min.toFixed(2)}-${rr.max.toFixed(2)} | ${f(v.ours.rssMb, 1)} / ${f(v.floor.rssMb, 1)}, ${sat("b-ours")} / ${sat("b-floor")} |`;
  }),
  "",
  ...(p50OneCore
    ? [
        `added p50 latency at concurrency 1 (median of 4000 timed requests, ours - mock direct; every process on one core, so the extra hop costs no cross-core wake-ups): ${(p50OneCore.ours - p50OneCore.mock).toFixed(3)} ms (target < 0.3 ms; the floor adds ${(p50OneCore.floor - p50OneCore.mock).toFixed(3)} ms, so our logic adds ${(p50OneCore.ours - p50OneCore.floor).toFixed(3)} ms)`,
        `  with the proxies pinned to their own core (each hop then crosses cores): ours adds ${addedP50.toFixed(3)} ms, the floor ${addedFloor.toFixed(3)} ms, our logic ${(p50.ours - p50.floor).toFixed(3)} ms`,
      ]
    : [
        `added p50 latency at concurrency 1 (median of 4000 timed requests, ours - mock): ${addedP50.toFixed(3)} ms (target < 0.3 ms; the floor adds ${addedFloor.toFixed(3)} ms, so our logic adds ${(p50.ours - p50.floor).toFixed(3)} ms)`,
      ]),
  `peak RSS: ours ${f(results["c1/ours"].rssMb, 1)} MB (target < 150 MB), floor ${f(results["c1/floor"].rssMb, 1)} MB`,
  ...(BASELINE ? ["", ...baselineTable()] : []),
];
// The fresh-replica scenario last (its own processes); BENCH_SKIP_COLD=1 leaves it out.
const coldLines = process.env.BENCH_SKIP_COLD ? [] : await coldScenario(PROXY_MAIN);
// WebSocket mode: idle sockets' memory and CPU per turn against HTTP; BENCH_SKIP_WEBSOCKET=1 leaves it out.
const wsLines = process.env.BENCH_SKIP_WEBSOCKET ? [] : await websocketScenario(PROXY_MAIN);
const out = [
  `AI Router proxy benchmark (${CONNECTIONS} connections; per mode ${ROUNDS} interleaved rounds of ${DURATION}s per target, medians; node ${process.version}, ${cpus().length} cores, pinned: ${pin})`,
  "",
  ...lines,
  ...summary,
  ...(coldLines.length > 0 ? ["", ...coldLines] : []),
  ...(wsLines.length > 0 ? ["", ...wsLines] : []),
].join("\n");
console.log(out);
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/latest.md"), `${out}\n`);
writeFileSync(
  join(root, "bench/results/latest.json"),
  JSON.stringify(
    {
      results,
      ratios: { json: rj, sse: rs, sseInject: ri },
      fixedLoadB: Object.fromEntries(
        Object.entries(fixed).map(([m, v]) => [
          m,
          { rate: v.rate, ours: v.ours.cpuUsPerReq, floor: v.floor.cpuUsPerReq, ratio: roundRatios(v.ours, v.floor).median },
        ]),
      ),
      p50,
      p50OneCore,
      addedP50,
    },
    null,
    2,
  ),
);
// The TLS profile (HTTPS/1.1 and HTTP/2 upstream, private CA) and 4,000 concurrent streams
// (STREAMS to change): their own processes, after the above. BENCH_SKIP_EXTRAS=1 leaves them out.
const extras = process.env.BENCH_SKIP_EXTRAS
  ? []
  : ["bench/tls-profile.mjs", "bench/streams.mjs", "bench/balancing.mjs", "bench/spread-promotion.mjs"];
for (const extra of extras) {
  if (existsSync(join(root, extra))) execFileSync(process.execPath, [join(root, extra)], { stdio: "inherit" });
}
process.exit(0);
