import type { UsageRecord } from "@ai-router/contracts";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { TableStore } from "../routing/table-store.js";
import type { UsageSink } from "../usage/usage-sink.js";

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];
const TTFT = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

interface Children {
  requests: Counter.Internal;
  duration: Histogram.Internal<string>;
  ttft: Histogram.Internal<string>;
  prompt: Counter.Internal;
  completion: Counter.Internal;
  cost: Counter.Internal;
}

/**
 * The proxy's Prometheus metrics, fed by the usage records (a UsageSink) and read from the routing
 * table at scrape time. Labels are bounded: model and provider values not in the served table become
 * `unknown`, and no key id is ever a label.
 */
export class ProxyMetrics implements UsageSink {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "requests_total",
    help: "Requests answered, by model, provider, status class and ingress API",
    labelNames: ["model", "provider", "status_class", "ingress"],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: "request_duration_seconds",
    help: "Time from arrival to the end of the answer",
    labelNames: ["model"],
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly ttft = new Histogram({
    name: "ttft_seconds",
    help: "Time from arrival to the first byte of the answer",
    labelNames: ["model"],
    buckets: TTFT,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: "tokens_total",
    help: "Tokens, by model and direction (input, output)",
    labelNames: ["model", "direction"],
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: "cost_usd_total",
    help: "USD at the serving targets' prices (unpriced requests add nothing)",
    labelNames: ["model"],
    registers: [this.registry],
  });
  private readonly attempts = new Counter({
    name: "upstream_attempts_total",
    help: "Upstream attempts, by provider and outcome (served, retry, final, broken)",
    labelNames: ["provider", "outcome"],
    registers: [this.registry],
  });
  /** Records dropped because the ledger buffer was full (NATS down too long). */
  readonly dropped = new Counter({
    name: "usage_records_dropped_total",
    help: "Usage records dropped because the buffer for the ledger was full",
    registers: [this.registry],
  });
  private readonly children = new Map<string, Children>();

  constructor(
    private readonly store: TableStore,
    inFlight: () => number,
  ) {
    const reg = [this.registry];
    new Gauge({
      name: "in_flight_requests",
      help: "Requests being answered",
      registers: reg,
      collect() {
        this.set(inFlight());
      },
    });
    new Gauge({
      name: "routing_table_revision",
      help: "Revision of the routing table served (-1 without one)",
      registers: reg,
      collect() {
        this.set(store.current?.revision ?? -1);
      },
    });
    new Gauge({
      name: "breaker_open",
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
  private modelLabel(m: string | null): string {
    return m !== null && this.store.current?.models.has(m) ? m : "unknown";
  }

  private providerLabel(p: string | null): string {
    return p !== null && this.store.current?.providers.has(p) ? p : "unknown";
  }

  write(r: UsageRecord): void {
    const model = this.modelLabel(r.model);
    const provider = this.providerLabel(r.provider);
    const statusClass = `${Math.floor(r.status / 100)}xx`;
    const k = `${model}\u0000${provider}\u0000${statusClass}\u0000${r.ingress}`;
    let c = this.children.get(k);
    if (c === undefined) {
      c = {
        requests: this.requests.labels(model, provider, statusClass, r.ingress),
        duration: this.duration.labels(model),
        ttft: this.ttft.labels(model),
        prompt: this.tokens.labels(model, "input"),
        completion: this.tokens.labels(model, "output"),
        cost: this.cost.labels(model),
      };
      // Bounded by the table's models x providers x status classes x ingresses.
      if (this.children.size < 10_000) this.children.set(k, c);
    }
    c.requests.inc();
    c.duration.observe(r.latency_ms / 1000);
    if (r.ttft_ms !== null) c.ttft.observe(r.ttft_ms / 1000);
    if (r.prompt_tokens > 0) c.prompt.inc(r.prompt_tokens);
    if (r.completion_tokens > 0) c.completion.inc(r.completion_tokens);
    if (r.cost_usd !== null && r.cost_usd > 0) c.cost.inc(r.cost_usd);
    for (const a of r.attempts) this.attempts.labels(this.providerLabel(a.provider), a.outcome).inc();
  }

  /** The text exposition format. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
