import { subscribeValid } from "@ai-router/cluster";
import {
  type HealthViewOut,
  natsSubjects,
  type ProbeOut,
  ProbeReport,
  type Signer,
  TargetsReport,
  targetsSubject,
} from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { NatsConnection } from "@nats-io/transport-node";

/**
 * What the console's health page shows: the last health-worker probe of each provider and the last
 * targets report of each proxy replica (breakers, moving averages), both heard over core NATS. A replica
 * silent for `staleMs` (stopped, crashed) drops out; probes are kept while their provider exists.
 */
export class LiveHealth {
  private readonly probes = new Map<string, ProbeOut>();
  private readonly replicas = new Map<string, TargetsReport>();

  constructor(
    private readonly bucket: string,
    private readonly logger: Logger,
    /** Only signed reports count: whoever can write to NATS without ROUTER_MASTER_KEY cannot paint a provider up or down. */
    private readonly signer: Signer,
    private readonly staleMs = 20_000,
  ) {}

  attach(nc: NatsConnection): void {
    const ignored = (why: string) => this.logger.debug({ why }, "ignored a health message");
    subscribeValid(nc, this.signer, natsSubjects.health(this.bucket), ProbeReport, (r) => this.observeProbe(r), ignored);
    subscribeValid(nc, this.signer, targetsSubject(this.bucket), TargetsReport, (r) => this.replicas.set(r.replica, r), ignored);
  }

  observeProbe(r: ProbeReport): void {
    this.probes.set(r.provider, {
      provider: r.provider,
      ok: r.ok,
      status: r.status,
      latency_ms: r.latencyMs,
      checked_at: new Date(r.checkedAt).toISOString(),
      consecutive_failures: r.consecutiveFailures,
      error: r.error,
    });
  }

  view(now = Date.now()): Pick<HealthViewOut, "probes" | "replicas"> {
    for (const [id, r] of this.replicas) if (now - r.at > this.staleMs) this.replicas.delete(id);
    return {
      probes: [...this.probes.values()].sort((a, b) => a.provider.localeCompare(b.provider)),
      replicas: [...this.replicas.values()]
        .sort((a, b) => a.replica.localeCompare(b.replica))
        .map((r) => ({ replica: r.replica, at: new Date(r.at).toISOString(), revision: r.revision, targets: r.targets })),
    };
  }
}
