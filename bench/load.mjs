// The load runs of `npm run bench` (bench/run.mjs): autocannon against a target, its CPU time per
// request read from /proc, and the interleaved rounds over several targets.
import autocannon from "autocannon";
import { cpuMs, median, peakRssMb } from "./processes.mjs";

export const DURATION = Number(process.env.BENCH_DURATION ?? 4);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

// mode: json | sse (the client asks for usage: the same upstream bytes for every proxy) |
// sse-inject (the client does not ask; our router asks upstream for usage and strips it, the floor does not).
export const body = (mode) =>
  JSON.stringify({
    model: "gpt-4o",
    messages: [{ role: "user", content: "Hello, how are you today? Tell me something nice." }],
    max_tokens: 64,
    stream: mode !== "json",
    ...(mode === "sse" ? { stream_options: { include_usage: true } } : {}),
  });

/** One autocannon run of chat completions in `mode` (not awaited: the caller may watch its events). */
export const cannon = (url, mode, connections, duration, overallRate) =>
  autocannon({
    ...(overallRate ? { overallRate } : {}),
    url: `${url}/v1/chat/completions`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body(mode),
    connections,
    duration,
  });

export async function load(url, mode, connections, duration, overallRate) {
  const r = await cannon(url, mode, connections, duration, overallRate);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total, errors: r.errors + r.non2xx };
}

async function once(target, mode, connections, duration, overallRate) {
  const before = target.pid ? cpuMs(target.pid) : 0;
  const r = await load(target.url, mode, connections, duration, overallRate);
  const cpu = target.pid ? cpuMs(target.pid) - before : 0;
  return { ...r, cpuUsPerReq: target.pid && r.total ? (cpu * 1000) / r.total : null };
}

/**
 * Profile B's fixed-load rounds: a new process per round, driven at the fixed rate without a pause and
 * measured once it is warm. Warm means some time (BENCH_WARMUP_B seconds) and enough requests for the
 * JIT to have compiled the request path (BENCH_WARMUP_B_REQUESTS). Measured on a slow day at 1,000
 * streams/s: seconds 5-10 of a new process cost the router 1.15x its steady CPU per request and the
 * floor 1.0x (the router has more code to compile), so a time-only warm-up favours the floor on a slow
 * machine. Warm-up and measurement share one load run: a pause or a saturated warm-up before the
 * measured run left both processes 2-3x their steady cost for the first seconds after it.
 */
const WARMUP_B = Number(process.env.BENCH_WARMUP_B ?? 6);
const WARMUP_B_REQUESTS = Number(process.env.BENCH_WARMUP_B_REQUESTS ?? 15000);

async function onceSteady(target, mode, connections, overallRate) {
  const warm = Math.max(WARMUP_B, Math.ceil(WARMUP_B_REQUESTS / overallRate));
  let counting = false;
  let count = 0;
  const run = cannon(target.url, mode, connections, warm + DURATION + 1, overallRate);
  run.on("response", () => {
    if (counting) count++;
  });
  const at = (s) => new Promise((r) => setTimeout(r, s * 1000));
  await at(warm);
  const cpu0 = cpuMs(target.pid);
  counting = true;
  await at(DURATION);
  counting = false;
  const cpu1 = cpuMs(target.pid);
  const r = await run;
  return {
    rps: count / DURATION,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: count,
    errors: r.errors + r.non2xx,
    cpuUsPerReq: count ? ((cpu1 - cpu0) * 1000) / count : null,
    rssMb: peakRssMb(target.pid),
  };
}

/**
 * One mode, every target: a warm-up each (JIT), then ROUNDS rounds in which the targets take turns
 * (order reversed every other round), so a slow moment of the machine hits them alike. Each figure is
 * the median over the rounds; `rounds` keeps the per-round values for the ratio spread.
 */
export const measurer = (targets, restart) =>
  async function measureAll(names, mode, connections, overallRate, rounds = ROUNDS, fresh = false) {
    if (!fresh) for (const name of names) await load(targets[name].url, mode, connections, 2, overallRate);
    const runs = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [...names].reverse() : names;
      for (const name of order) {
        if (!fresh) {
          runs[name].push(await once(targets[name], mode, connections, DURATION, overallRate));
          continue;
        }
        // A new process every round: one process's JIT luck (a run of the same build varies by up to 10%
        // from one process to the next) is averaged out instead of deciding the figure.
        await restart(name);
        runs[name].push(await onceSteady(targets[name], mode, connections, overallRate));
      }
    }
    const out = {};
    for (const name of names) {
      const rs = runs[name];
      const cpu = rs.every((r) => r.cpuUsPerReq !== null) ? median(rs.map((r) => r.cpuUsPerReq)) : null;
      out[name] = {
        rps: median(rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        total: rs.reduce((a, r) => a + r.total, 0),
        errors: rs.reduce((a, r) => a + r.errors, 0),
        cpuUsPerReq: cpu,
        // Fresh rounds: the highest peak of the round processes (all at the same load); otherwise this process's.
        rssMb: fresh ? Math.max(...rs.map((r) => r.rssMb)) : targets[name].pid ? peakRssMb(targets[name].pid) : null,
        rounds: rs.map((r) => ({ rps: r.rps, cpuUsPerReq: r.cpuUsPerReq })),
      };
    }
    return out;
  };
