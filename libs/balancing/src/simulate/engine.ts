import { getStrategy } from "../registry.js";
import { seededRng } from "../rng.js";
import { TargetHealth } from "../target-health.js";
import type { Candidate, RequestHints } from "../types.js";
import type { SCENARIO, SyntheticProvider, Window } from "./scenario.js";

type Scenario = typeof SCENARIO;

/** One client request of the workload (identical for every strategy). */
interface Req {
  at: number;
  promptTokens: number;
  maxTokens: number;
  outputTokens: number;
  stream: boolean;
}

/** What one strategy run measured. */
export interface RunResult {
  label: string;
  requests: number;
  errors: number;
  failovers: number;
  /** Client-seen latency of served requests (TTFT for streams), ms, sorted. */
  latencies: Float64Array;
  costUsd: number;
  share: Record<string, number>;
}

const inWindow = (t: number, ws: readonly Window[]) => ws.some((w) => t >= w.from && t < w.to);

/** Box-Muller standard normal from a uniform RNG. */
function normal(rng: () => number): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

export function makeWorkload(s: Scenario): Req[] {
  const rng = seededRng(s.seed);
  const out: Req[] = [];
  let t = 0;
  for (;;) {
    t += (-Math.log(1 - rng()) / s.ratePerS) * 1000;
    if (t >= s.durationS * 1000) break;
    const maxTokens = 200 + Math.floor(rng() * 800);
    out.push({
      at: t,
      promptTokens: 200 + Math.floor(rng() * 3800),
      maxTokens,
      outputTokens: 50 + Math.floor(rng() * (maxTokens - 50)),
      stream: rng() < s.streamShare,
    });
  }
  return out;
}

/** A binary min-heap of events by time (ties by insertion order, for determinism). */
class EventQueue<T> {
  private readonly items: { t: number; seq: number; v: T }[] = [];
  private seq = 0;
  get size() {
    return this.items.length;
  }
  push(t: number, v: T) {
    const a = this.items;
    a.push({ t, seq: this.seq++, v });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): { t: number; v: T } {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
  private less(x: { t: number; seq: number }, y: { t: number; seq: number }) {
    return x.t < y.t || (x.t === y.t && x.seq < y.seq);
  }
}

interface Flight {
  req: Req;
  order: Candidate[];
  attempt: number;
  attemptStart: number;
}
type Ev = { kind: "arrive"; req: Req } | { kind: "done"; f: Flight; ok: boolean; measured: number };

/** Replays the workload against one strategy with fresh health state; fully deterministic. */
export function runStrategy(
  s: Scenario,
  workload: readonly Req[],
  label: string,
  strategy: string,
  options: Record<string, unknown>,
): RunResult {
  const providers: SyntheticProvider[] = s.providers;
  const byId = new Map<string, SyntheticProvider>();
  const candidates: Candidate[] = providers.map((p) => {
    const c: Candidate = {
      id: `${p.name}/model`,
      provider: p.name,
      upstreamModel: "model",
      weight: p.weight,
      preferred: false,
      priority: 0,
      price: p.price,
      health: new TargetHealth(s.health),
    };
    byId.set(c.id, p);
    return c;
  });
  const impl = getStrategy(strategy);
  if (!impl) throw new Error(`unknown strategy ${strategy}`);
  const balancer = impl.create(candidates, options, seededRng(s.seed + 1));
  const world = seededRng(s.seed + 2);
  const q = new EventQueue<Ev>();
  for (const req of workload) q.push(req.at, { kind: "arrive", req });
  const latencies: number[] = [];
  const share: Record<string, number> = Object.fromEntries(providers.map((p) => [p.name, 0]));
  let errors = 0;
  let failovers = 0;
  let costUsd = 0;

  const start = (f: Flight, now: number) => {
    const c = f.order[f.attempt]!;
    const p = byId.get(c.id)!;
    f.attemptStart = now;
    c.health.begin(now);
    const sec = now / 1000;
    if (inWindow(sec, p.outages)) {
      q.push(now + 30, { kind: "done", f, ok: false, measured: 0 });
      return;
    }
    // Overloaded: slower up to 1.5x capacity, then rate limited (a fast 429, which fails over).
    if (c.health.inFlight > p.capacity * 1.5) {
      q.push(now + 50, { kind: "done", f, ok: false, measured: 0 });
      return;
    }
    const load = 1 + Math.max(0, c.health.inFlight - p.capacity) / p.capacity;
    const slow = p.slow.find((w) => sec >= w.from && sec < w.to)?.factor ?? 1;
    const jitter = Math.exp(p.sigma * normal(world));
    const burst = p.bursts.find((w) => sec >= w.from && sec < w.to);
    const errorRate = burst ? burst.errorRate : p.errorRate;
    if (world() < errorRate) {
      q.push(now + 150 * jitter * slow, { kind: "done", f, ok: false, measured: 0 });
      return;
    }
    const first = (f.req.stream ? p.medianTtftMs : p.medianMs) * jitter * slow * load;
    const busy = f.req.stream ? first + (f.req.outputTokens / p.tokensPerSec) * 1000 : first;
    q.push(now + busy, { kind: "done", f, ok: true, measured: first });
  };

  while (q.size > 0) {
    const { t, v } = q.pop();
    if (v.kind === "arrive") {
      const hints: RequestHints = { promptTokens: v.req.promptTokens, maxTokens: v.req.maxTokens, stream: v.req.stream, now: t };
      const order = balancer.order(hints);
      order[0]!.health.select(label);
      start({ req: v.req, order, attempt: 0, attemptStart: t }, t);
      continue;
    }
    const { f } = v;
    const c = f.order[f.attempt]!;
    if (v.ok) {
      c.health.success(v.measured, f.req.stream, { outputTokens: f.req.outputTokens, durationMs: t - f.attemptStart }, t);
      latencies.push(f.attemptStart - f.req.at + v.measured);
      const billed = byId.get(c.id)!.billed;
      costUsd += (f.req.promptTokens * billed.input_per_mtok + f.req.outputTokens * billed.output_per_mtok) / 1e6;
      share[c.provider] = (share[c.provider] ?? 0) + 1;
      continue;
    }
    c.health.failure(t);
    f.attempt++;
    if (f.attempt < Math.min(s.maxAttempts, f.order.length)) {
      failovers++;
      start(f, t);
    } else errors++;
  }
  return { label, requests: workload.length, errors, failovers, latencies: Float64Array.from(latencies).sort(), costUsd, share };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
