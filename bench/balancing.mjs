// Micro-benchmark: the cost of choosing a candidate (Balancer.order) per strategy, with 10 candidates
// in realistic live states (measured latencies, prices, requests in flight, one open breaker).
// Target: under 2 microseconds per request. Uses the built dist: run `npm run build` first.
// Usage: node bench/balancing.mjs [--json] [--iterations=N]
import { describeStrategies, getStrategy, seededRng, TargetHealth } from "@ai-router/balancing";

const arg = process.argv.find((a) => a.startsWith("--iterations="));
const N = arg ? Number(arg.slice(13)) : 300_000;
const TARGET_NS = 2000;
const CANDIDATES = 10;
const NOW = Date.now();

function candidates() {
  const rng = seededRng(7);
  return Array.from({ length: CANDIDATES }, (_, i) => {
    const health = new TargetHealth({ failureThreshold: 3, cooldownMs: 30_000 });
    for (let k = 0; k < 20; k++) {
      health.begin(NOW);
      health.success(200 + rng() * 2000, k % 3 === 0, { outputTokens: 300, durationMs: 3000 }, NOW);
    }
    health.inFlight = Math.floor(rng() * 8);
    if (i === 3) {
      // One open breaker.
      for (let k = 0; k < 3; k++) {
        health.begin(NOW);
        health.failure(NOW);
      }
    }
    return {
      id: `p${i}/model`,
      provider: `p${i}`,
      upstreamModel: "model",
      weight: 1 + (i % 4),
      preferred: false,
      priority: i < 8 ? 0 : 1,
      price: i === 9 ? undefined : { input_per_mtok: 0.2 + i, output_per_mtok: 0.6 + 3 * i },
      health,
    };
  });
}

const options = { specified_provider: { specified_provider: "p0", failover: true } };

function bench(name) {
  const balancer = getStrategy(name).create(candidates(), options[name] ?? {}, seededRng(1));
  const hints = { promptTokens: 1200, maxTokens: 500, stream: false, now: NOW };
  let sink = 0;
  for (let i = 0; i < N / 3; i++) {
    hints.stream = (i & 3) === 0;
    sink += balancer.order(hints).length;
  }
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    hints.stream = (i & 3) === 0;
    sink += balancer.order(hints).length;
  }
  const ns = Number(process.hrtime.bigint() - t0) / N;
  if (sink === 0) throw new Error("unreachable");
  return ns;
}

function benchHealthUpdate() {
  const h = new TargetHealth({ failureThreshold: 3, cooldownMs: 30_000 });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    h.begin(NOW);
    h.select("model");
    h.success(500 + (i & 255), false, undefined, NOW);
  }
  return Number(process.hrtime.bigint() - t0) / N;
}

const rows = describeStrategies().map((s) => ({ strategy: s.name, ns: bench(s.name) }));
rows.push({ strategy: "(health: begin+select+success)", ns: benchHealthUpdate() });

if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ candidates: CANDIDATES, iterations: N, target_ns: TARGET_NS, rows }));
} else {
  console.log(`\nBalancing: cost of choosing a candidate, ${CANDIDATES} candidates, ${N} iterations (target < ${TARGET_NS / 1000} us)\n`);
  console.log(`${"strategy".padEnd(34)} ${"ns/op".padStart(8)} ${"ops/s".padStart(12)}  target`);
  for (const r of rows) {
    const ok = r.strategy.startsWith("(") ? "" : r.ns < TARGET_NS ? "ok" : "OVER";
    console.log(
      `${r.strategy.padEnd(34)} ${r.ns.toFixed(0).padStart(8)} ${Math.round(1e9 / r.ns)
        .toLocaleString("en-US")
        .padStart(12)}  ${ok}`,
    );
  }
}
