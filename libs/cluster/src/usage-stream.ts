import { usageLedger } from "@ai-router/contracts";
import { AckPolicy, type ConsumerConfig, DeliverPolicy, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";

const DAY_NS = 86_400 * 1e9;

/** The writer's consumer as this release wants it. */
const CONSUMER: Partial<ConsumerConfig> = {
  durable_name: usageLedger.consumer,
  ack_policy: AckPolicy.Explicit,
  deliver_policy: DeliverPolicy.All,
  ack_wait: 10 * 1e9,
  max_ack_pending: 10_000,
  max_deliver: usageLedger.maxDeliver,
};

/**
 * Creates the usage ledger's stream and the writer's durable consumer when missing (proxies and
 * writers both call it; the first one wins, the others find it). Work-queue retention: a batch leaves
 * the stream once the writer committed it to Postgres and acknowledged it. Publishes are deduplicated
 * by message id for 2 minutes (a retried batch is stored once). A consumer created by an older release
 * (no delivery limit) is updated in place to `usageLedger.maxDeliver` (best effort: never a reason to stop
 * publishing or writing).
 */
export async function ensureUsageStream(nc: NatsConnection, bucket: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const name = usageLedger.stream(bucket);
  try {
    await jsm.streams.info(name);
  } catch {
    try {
      await jsm.streams.add({
        name,
        subjects: [usageLedger.subjects(bucket)],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        max_age: 7 * DAY_NS,
        duplicate_window: 120 * 1e9,
      });
    } catch (err) {
      // Another process created it in between.
      await jsm.streams.info(name).catch(() => {
        throw err;
      });
    }
  }
  let existing: Awaited<ReturnType<typeof jsm.consumers.info>> | undefined;
  try {
    existing = await jsm.consumers.info(name, usageLedger.consumer);
  } catch {
    await jsm.consumers.add(name, CONSUMER).catch(async (err) => {
      await jsm.consumers.info(name, usageLedger.consumer).catch(() => {
        throw err;
      });
    });
    return;
  }
  if (existing.config.max_deliver !== usageLedger.maxDeliver) {
    // Best effort: a server that refuses the update keeps the old consumer, and records still flow.
    await jsm.consumers.update(name, usageLedger.consumer, { max_deliver: usageLedger.maxDeliver }).catch(() => {});
  }
}
