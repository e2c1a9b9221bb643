import { type HealthProbeJob, healthQueue } from "@ai-router/contracts";
import type { Queue } from "bullmq";

export interface ReconcileResult {
  added: string[];
  removed: string[];
}

/**
 * Makes the queue's job schedulers match `providers`: one scheduler per provider repeating every
 * `everyMs`, added when missing or when its interval changed, removed when the provider left the table.
 * Idempotent, so every worker replica can run it: the schedulers live in Redis, and BullMQ makes one job
 * per scheduler per interval, which exactly one worker takes.
 */
export async function reconcileSchedulers(
  queue: Queue<HealthProbeJob>,
  providers: Iterable<string>,
  everyMs: number,
): Promise<ReconcileResult> {
  const wanted = new Set(providers);
  const existing = new Map<string, number | undefined>();
  for (const s of await queue.getJobSchedulers(0, -1)) {
    const id = s.id ?? s.key;
    const provider = healthQueue.providerOf(id);
    if (provider !== undefined) existing.set(provider, s.every === undefined ? undefined : Number(s.every));
  }
  const added: string[] = [];
  const removed: string[] = [];
  for (const provider of wanted) {
    if (existing.get(provider) === everyMs) continue;
    await queue.upsertJobScheduler(
      healthQueue.schedulerId(provider),
      { every: everyMs },
      {
        name: healthQueue.jobName,
        data: { provider },
        // A failed probe is a result, not an error: no retries, and nothing kept once done.
        opts: { attempts: 1, removeOnComplete: true, removeOnFail: true },
      },
    );
    added.push(provider);
  }
  for (const provider of [...existing.keys()].sort()) {
    if (wanted.has(provider)) continue;
    await queue.removeJobScheduler(healthQueue.schedulerId(provider));
    removed.push(provider);
  }
  return { added, removed };
}
