import { Counter, Gauge, Registry } from "prom-client";

/** The worker's Prometheus metrics: probe results and the ledger writer's progress. */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly probes = new Counter({
    name: "probe_results_total",
    help: "Health probes run, by provider and result (ok, failed)",
    labelNames: ["provider", "result"],
    registers: [this.registry],
  });
  readonly ledgerRows = new Counter({
    name: "ledger_rows_written_total",
    help: "Usage records newly stored in the ledger (redeliveries not counted)",
    registers: [this.registry],
  });
  readonly ledgerRejected = new Counter({
    name: "ledger_batches_rejected_total",
    help: "Usage batches rejected unread, never stored: unsigned, bad_signature (not signed with ROUTER_MASTER_KEY), malformed",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly ledgerUnsignedAccepted = new Counter({
    name: "ledger_batches_unsigned_accepted_total",
    help: "Unsigned usage batches stored during a rolling upgrade (LEDGER_ACCEPT_UNSIGNED_UNTIL); 0 once every proxy signs",
    registers: [this.registry],
  });
  readonly ledgerDeadLetters = new Counter({
    name: "ledger_dead_letters_total",
    help: "Usage records (or whole batches) stored in usage_dead_letter instead of the ledger: refused (by Postgres), invalid (schema), max_deliveries",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly ledgerLag = new Gauge({
    name: "ledger_lag_seconds",
    help: "Seconds between the end of the newest request written and its commit to the ledger",
    registers: [this.registry],
  });
}
