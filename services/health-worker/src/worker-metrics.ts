import { METRIC_PREFIX, withLegacyMetricNames } from "@ai-router/contracts";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

/** The worker's Prometheus metrics: probe results and the ledger writer's progress. */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly probes = new Counter({
    name: `${METRIC_PREFIX}probe_results_total`,
    help: "Health probes run, by provider and result (ok, failed)",
    labelNames: ["provider", "result"],
    registers: [this.registry],
  });
  readonly ledgerRows = new Counter({
    name: `${METRIC_PREFIX}ledger_rows_written_total`,
    help: "Usage records newly stored in the ledger (redeliveries not counted)",
    registers: [this.registry],
  });
  readonly ledgerRejected = new Counter({
    name: `${METRIC_PREFIX}ledger_batches_rejected_total`,
    help: "Usage batches rejected unread, never stored: unsigned, bad_signature (not signed with ROUTER_MASTER_KEY), malformed",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly ledgerUnsignedAccepted = new Counter({
    name: `${METRIC_PREFIX}ledger_batches_unsigned_accepted_total`,
    help: "Unsigned usage batches stored during a rolling upgrade (LEDGER_ACCEPT_UNSIGNED_UNTIL); 0 once every proxy signs",
    registers: [this.registry],
  });
  readonly ledgerDeadLetters = new Counter({
    name: `${METRIC_PREFIX}ledger_dead_letters_total`,
    help: "Usage records (or whole batches) stored in usage_dead_letter instead of the ledger: refused (by Postgres), invalid (schema), max_deliveries",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly ledgerLag = new Gauge({
    name: `${METRIC_PREFIX}ledger_lag_seconds`,
    help: "Seconds between the end of the newest request written and its commit to the ledger",
    registers: [this.registry],
  });
  private readonly legacyNames: boolean;

  /** `opts.legacyNames`: also the deprecated unprefixed names; process and Node runtime series unless `runtime: false`. */
  constructor(opts: { legacyNames?: boolean; runtime?: boolean } = {}) {
    this.legacyNames = opts.legacyNames === true;
    if (opts.runtime !== false) collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }

  /** The text exposition format (with the deprecated names too when asked). */
  async metrics(): Promise<string> {
    const text = await this.registry.metrics();
    return this.legacyNames ? withLegacyMetricNames(text) : text;
  }
}
