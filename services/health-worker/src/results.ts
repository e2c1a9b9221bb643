import { healthKeys, type ProbeReport } from "@ai-router/contracts";
import type { ProbeResult } from "@ai-router/providers";
import type { Redis } from "ioredis";

/**
 * Probe results in Redis: a hash per provider (`healthKeys.provider`) with the last outcome and the run
 * of failures, and a capped list of recent successful latencies (`healthKeys.latencies`), newest first.
 */
export class ProbeResults {
  constructor(
    private readonly redis: Redis,
    private readonly bucket: string,
    private readonly samples: number,
    private readonly intervalMs: number,
  ) {}

  /** Stores one outcome atomically; returns the report to publish and the run of failures it ended or extended. */
  async record(
    provider: string,
    type: string,
    r: ProbeResult,
    checkedAt: number,
  ): Promise<{ report: ProbeReport; previousFailures: number }> {
    const key = healthKeys.provider(this.bucket, provider);
    const m = this.redis.multi();
    m.hget(key, "consecutiveFailures");
    m.hset(key, {
      type,
      ok: r.ok ? "1" : "0",
      status: r.status === null ? "" : String(r.status),
      latencyMs: String(r.latencyMs),
      checkedAt: String(checkedAt),
      lastError: r.error ?? "",
    });
    if (r.ok) {
      m.hset(key, { consecutiveFailures: "0", lastOkAt: String(checkedAt) });
      const list = healthKeys.latencies(this.bucket, provider);
      m.lpush(list, String(r.latencyMs));
      m.ltrim(list, 0, this.samples - 1);
    } else {
      m.hincrby(key, "consecutiveFailures", 1);
    }
    const replies = await m.exec();
    const failed = replies?.find(([err]) => err);
    if (!replies || failed) throw failed?.[0] ?? new Error("redis transaction aborted");
    const previousFailures = Number(replies[0]?.[1] ?? 0) || 0;
    const consecutiveFailures = r.ok ? 0 : Number(replies[2]?.[1] ?? 1);
    const report: ProbeReport = {
      provider,
      ok: r.ok,
      status: r.status,
      latencyMs: r.latencyMs,
      checkedAt,
      consecutiveFailures,
      error: r.error,
      intervalMs: this.intervalMs,
    };
    return { report, previousFailures };
  }

  /** Forgets a provider that left the table. */
  async forget(provider: string): Promise<void> {
    await this.redis.del(healthKeys.provider(this.bucket, provider), healthKeys.latencies(this.bucket, provider));
  }

  /** The stored hash of a provider (for tools and tests). */
  async read(provider: string): Promise<Record<string, string>> {
    return this.redis.hgetall(healthKeys.provider(this.bucket, provider));
  }
}
