import { subscribeValid } from "@ai-router/cluster";
import { natsSubjects, type Signer, StatsReport } from "@ai-router/contracts";
import type { NatsConnection } from "@nats-io/transport-node";

/**
 * The proxy replicas of the cluster: this one, plus those whose stats reports (every 2 s, the ones the
 * control plane sums) arrived in the last `windowMs`. While Redis is away each replica enforces
 * limit / this count.
 *
 * This replica counts itself without hearing its own report (it subscribes after connecting, and may
 * miss its first one). A replica that hears from one it did not know calls `onNewcomer`, which reports
 * at once: a replica that just started learns the others within a round trip, not a reporting period,
 * so an outage right after start-up is still split by the right N.
 */
export class ReplicaCount {
  private readonly seen = new Map<string, number>();
  private stop: (() => void) | undefined;

  constructor(
    /** This replica's id in stats reports. */
    private readonly self: string,
    private readonly windowMs = 10_000,
  ) {}

  /** Follows the stats subject; `onNewcomer` is called when a replica not seen lately reports. */
  follow(nc: NatsConnection, bucket: string, signer: Signer, onNewcomer?: () => void): void {
    this.stop?.();
    const sub = subscribeValid(nc, signer, natsSubjects.stats(bucket), StatsReport, (r) => {
      if (r.replica === this.self) return;
      const now = Date.now();
      const last = this.seen.get(r.replica);
      this.seen.set(r.replica, now);
      if (last === undefined || now - last > this.windowMs) onNewcomer?.();
    });
    this.stop = () => sub.unsubscribe();
  }

  /** This replica plus the others seen lately. */
  count(now = Date.now()): number {
    let n = 1;
    for (const [replica, at] of this.seen) {
      if (now - at <= this.windowMs) n++;
      else this.seen.delete(replica);
    }
    return n;
  }

  close(): void {
    this.stop?.();
    this.stop = undefined;
  }
}
