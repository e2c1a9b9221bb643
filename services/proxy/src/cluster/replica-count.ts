import { subscribeValid } from "@ai-router/cluster";
import { natsSubjects, type Signer, StatsReport } from "@ai-router/contracts";
import type { NatsConnection } from "@nats-io/transport-node";

/**
 * The proxy replicas of the cluster: those whose stats reports (every 2 s, the ones the control plane
 * sums) arrived in the last `windowMs`, this one included. While Redis is away each replica enforces
 * limit / this count.
 */
export class ReplicaCount {
  private readonly seen = new Map<string, number>();
  private stop: (() => void) | undefined;

  constructor(private readonly windowMs = 10_000) {}

  follow(nc: NatsConnection, bucket: string, signer: Signer): void {
    const sub = subscribeValid(nc, signer, natsSubjects.stats(bucket), StatsReport, (r) => this.seen.set(r.replica, Date.now()));
    this.stop = () => sub.unsubscribe();
  }

  /** Replicas seen lately (at least 1: this one). */
  count(now = Date.now()): number {
    let n = 0;
    for (const [replica, at] of this.seen) {
      if (now - at <= this.windowMs) n++;
      else this.seen.delete(replica);
    }
    return Math.max(1, n);
  }

  close(): void {
    this.stop?.();
  }
}
