import { METRIC_PREFIX, withLegacyMetricNames } from "@ai-router/contracts";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { RequestRecord } from "../record/request-record.js";
import type { UsageSink } from "../record/usage-sink.js";
import type { TableStore } from "../routing/table-store.js";
import { CounterFamily, type CounterSeries, HistogramFamily, type HistogramSeries } from "./fast-series.js";

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];
const TTFT = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

/** One model label's series; request counters by provider, then ingress, then status class (1-5). */
interface ModelSeries {
  duration: HistogramSeries;
  ttft: HistogramSeries;
  prompt: CounterSeries;
  completion: CounterSeries;
  /** Created at the model's first cache read / write, so models without caching show no such series. */
  cacheRead?: CounterSeries;
  cacheWrite?: CounterSeries;
  /** Created at the model's first response cache lookup (models without a response cache show none). */
  cacheHits?: CounterSeries;
  cacheMisses?: CounterSeries;
  cost: CounterSeries;
  requests: Map<string, Map<string, CounterSeries[]>>;
}

/**
 * The proxy's Prometheus metrics, fed by the usage records (a UsageSink) and read from the routing
 * table at scrape time. Labels are bounded: model and provider values not in the served table become
 * `unknown`, and no key id is ever a label. The per-request families are plain numbers on the request
 * path (fast-series.ts); prom-client's registry formats everything.
 */
export class ProxyMetrics implements UsageSink {
  readonly registry = new Registry();
  private readonly requests = new CounterFamily(
    this.registry,
    `${METRIC_PREFIX}requests_total`,
    "Requests answered, by model, provider, status class and ingress API",
  );
  private readonly duration = new HistogramFamily(
    this.registry,
    `${METRIC_PREFIX}request_duration_seconds`,
    "Time from arrival to the end of the answer",
    SECONDS,
  );
  private readonly ttft = new HistogramFamily(
    this.registry,
    `${METRIC_PREFIX}ttft_seconds`,
    "Time from arrival to the first byte of the answer",
    TTFT,
  );
  private readonly tokens = new CounterFamily(
    this.registry,
    `${METRIC_PREFIX}tokens_total`,
    "Tokens, by model and direction (input, output; cache_read and cache_write: the part of input read from or written to the provider's prompt cache)",
  );
  private readonly cost = new CounterFamily(
    this.registry,
    `${METRIC_PREFIX}cost_usd_total`,
    "USD at the serving targets' prices (unpriced requests add nothing)",
  );
  private readonly attempts = new CounterFamily(
    this.registry,
    `${METRIC_PREFIX}upstream_attempts_total`,
    "Upstream attempts, by provider and outcome (served, retry, final, broken)",
  );
  private readonly responseCache = new CounterFamily(
    this.registry,
    `${METRIC_PREFIX}response_cache_requests_total`,
    "Requests to models with a response cache, by model and result (hit: answered from the cache, miss: sent to a provider)",
  );
  /** Per provider label, per outcome: the attempts' series. */
  private readonly attemptSeries = new Map<string, Map<string, CounterSeries>>();
  /** Records dropped because the ledger buffer was full (NATS down too long). */
  readonly dropped = new Counter({
    name: `${METRIC_PREFIX}usage_records_dropped_total`,
    help: "Usage records dropped because the buffer for the ledger was full",
    registers: [this.registry],
  });
  /**
   * The series the request path adds to, by label values (no key string built per request). Bounded by
   * the table's models and providers (others are `unknown`), the ingresses and 5 status classes.
   */
  private readonly byModel = new Map<string, ModelSeries>();

  private readonly legacyNames: boolean;

  /**
   * @param opts.legacyNames also export the deprecated unprefixed names (`ROUTER_METRICS_LEGACY_NAMES`).
   * @param opts.runtime the process and Node runtime series (CPU, memory, event loop lag, GC), read at
   * scrape time (GC from a performance observer): nothing on the request path. Default on.
   */
  constructor(
    private readonly store: TableStore,
    inFlight: () => number,
    opts: { legacyNames?: boolean; runtime?: boolean } = {},
  ) {
    this.legacyNames = opts.legacyNames === true;
    if (opts.runtime !== false) collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    const reg = [this.registry];
    new Gauge({
      name: `${METRIC_PREFIX}in_flight_requests`,
      help: "Requests being answered",
      registers: reg,
      collect() {
        this.set(inFlight());
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}routing_table_revision`,
      help: "Revision of the routing table served (-1 without one)",
      registers: reg,
      collect() {
        this.set(store.current?.revision ?? -1);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}breaker_open`,
      help: "1 when a target's circuit breaker (or the health worker's probes) keeps it out of rotation",
      labelNames: ["provider", "model"],
      registers: reg,
      collect() {
        this.reset();
        const t = store.current;
        if (!t) return;
        const now = Date.now();
        for (const m of t.models.values()) {
          for (const target of m.targets) {
            this.set({ provider: target.provider, model: m.config.name }, target.health.available(now) ? 0 : 1);
          }
        }
      },
    });
  }

  /** The label value of a model: its name when the served table has it, else `unknown`. */
  private modelLabel(m: string | undefined): string {
    return m !== undefined && this.store.current?.models.has(m) ? m : "unknown";
  }

  private providerLabel(p: string | null): string {
    return p !== null && this.store.current?.providers.has(p) ? p : "unknown";
  }

  write(r: RequestRecord): void {
    const model = this.modelLabel(r.model);
    let m = this.byModel.get(model);
    if (m === undefined) {
      m = {
        duration: this.duration.with({ model }),
        ttft: this.ttft.with({ model }),
        prompt: this.tokens.with({ model, direction: "input" }),
        completion: this.tokens.with({ model, direction: "output" }),
        cost: this.cost.with({ model }),
        requests: new Map(),
      };
      this.byModel.set(model, m);
    }
    this.requestSeries(m, model, this.providerLabel(r.provider), r.ingress, r.status).value++;
    this.duration.observe(m.duration, r.latencyMs / 1000);
    if (r.ttfbMs !== undefined) this.ttft.observe(m.ttft, r.ttfbMs / 1000);
    if (r.promptTokens > 0) m.prompt.value += r.promptTokens;
    if (r.completionTokens > 0) m.completion.value += r.completionTokens;
    if (r.cachedTokens > 0) (m.cacheRead ??= this.tokens.with({ model, direction: "cache_read" })).value += r.cachedTokens;
    if (r.cacheWriteTokens > 0) (m.cacheWrite ??= this.tokens.with({ model, direction: "cache_write" })).value += r.cacheWriteTokens;
    if (r.costUsd !== null && r.costUsd > 0) m.cost.value += r.costUsd;
    if (r.cacheResult !== undefined) {
      if (r.cacheResult === "hit") (m.cacheHits ??= this.responseCache.with({ model, result: "hit" })).value++;
      else (m.cacheMisses ??= this.responseCache.with({ model, result: "miss" })).value++;
    }
    for (const a of r.attempts) this.attempt(this.providerLabel(a.provider), a.outcome).value++;
  }

  private requestSeries(m: ModelSeries, model: string, provider: string, ingress: string, status: number): CounterSeries {
    let byIngress = m.requests.get(provider);
    if (byIngress === undefined) {
      byIngress = new Map();
      m.requests.set(provider, byIngress);
    }
    let byClass = byIngress.get(ingress);
    if (byClass === undefined) {
      byClass = [];
      byIngress.set(ingress, byClass);
    }
    const cls = Math.min(5, Math.max(1, Math.floor(status / 100)));
    let s = byClass[cls];
    if (s === undefined) {
      s = this.requests.with({ model, provider, status_class: `${cls}xx`, ingress });
      byClass[cls] = s;
    }
    return s;
  }

  private attempt(provider: string, outcome: string): CounterSeries {
    let byOutcome = this.attemptSeries.get(provider);
    if (byOutcome === undefined) {
      byOutcome = new Map();
      this.attemptSeries.set(provider, byOutcome);
    }
    let s = byOutcome.get(outcome);
    if (s === undefined) {
      s = this.attempts.with({ provider, outcome });
      byOutcome.set(outcome, s);
    }
    return s;
  }

  /** The text exposition format. */
  async metrics(): Promise<string> {
    const text = await this.registry.metrics();
    return this.legacyNames ? withLegacyMetricNames(text) : text;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
