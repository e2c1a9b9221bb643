import { usageLedger } from "@ai-router/contracts";
import { AckPolicy, DeliverPolicy, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";

const DAY_NS = 86_400 * 1e9;

/**
 * Creates the usage ledger's stream and the writer's durable consumer when missing (proxies and
 * writers both call it; the first one wins, the others find it). Work-queue retention: a batch leaves
 * the stream once the writer committed it to Postgres and acknowledged it. Publishes are deduplicated
 * by message id for 2 minutes (a retried batch is stored once).
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
  try {
    await jsm.consumers.info(name, usageLedger.consumer);
  } catch {
    await jsm.consumers
      .add(name, {
        durable_name: usageLedger.consumer,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: 10 * 1e9,
        max_ack_pending: 10_000,
      })
      .catch(async (err) => {
        await jsm.consumers.info(name, usageLedger.consumer).catch(() => {
          throw err;
        });
      });
  }
}
