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
  /** Parts of a replica's report still coming (a large table's report comes in several messages). */
  private readonly partial = new Map<string, { at: number; got: (TargetsReport | undefined)[] }>();

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
    subscribeValid(nc, this.signer, targetsSubject(this.bucket), TargetsReport, (r) => this.observeTargets(r), ignored);
  }

  /** Keeps a replica's latest report: at once when it came in one message, else once all its parts did. */
  observeTargets(r: TargetsReport): void {
    const parts = r.parts ?? 1;
    if (parts === 1) {
      this.partial.delete(r.replica);
      this.replicas.set(r.replica, r);
      return;
    }
    const part = r.part ?? 0;
    if (part >= parts) return;
    let p = this.partial.get(r.replica);
    if (p === undefined || p.at !== r.at || p.got.length !== parts) {
      if (p !== undefined && p.at > r.at) return; // a late part of an older report
      p = { at: r.at, got: new Array<TargetsReport | undefined>(parts).fill(undefined) };
      this.partial.set(r.replica, p);
    }
    p.got[part] = r;
    if (p.got.some((x) => x === undefined)) return;
    this.partial.delete(r.replica);
    const targets = p.got.flatMap((x) => (x as TargetsReport).targets);
    this.replicas.set(r.replica, { replica: r.replica, at: r.at, revision: r.revision, targets });
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
