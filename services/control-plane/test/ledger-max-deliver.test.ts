import { ensureUsageStream } from "@ai-router/cluster";
import { usageLedger } from "@ai-router/contracts";
import { createLogger } from "@ai-router/logger";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rescueMaxDelivered } from "../../health-worker/src/ledger/max-deliveries.js";
import { rescueMessage } from "../../health-worker/src/ledger/store-messages.js";
import {
  closePool,
  createTestDatabase,
  destroyUsageStream,
  NATS_URL,
  usageRecord as rec,
  signer,
  testPool,
  uniqueName,
  waitFor,
} from "./helpers.js";

/**
 * Issue 27, finding 1, at the stream: a batch has a delivery limit, and one that reaches it is recorded
 * (stored if it can be, and a `max_deliveries` dead letter), never dropped in silence.
 */
const logger = createLogger({ name: "test", level: "silent", sync: true });
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;
let nc: NatsConnection;
const buckets: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = testPool(db.url);
  nc = await connect({ servers: NATS_URL });
}, 60_000);
afterAll(async () => {
  await nc?.close();
  for (const b of buckets) await destroyUsageStream(NATS_URL, b);
  await closePool(pool);
  await db?.drop();
});

describe("the usage stream's delivery limit", () => {
  it("a consumer created by an older release (no limit) gets max_deliver when a proxy or writer starts", async () => {
    const bucket = uniqueName("ledger_old");
    buckets.push(bucket);
    const jsm = await jetstreamManager(nc);
    await ensureUsageStream(nc, bucket);
    // As the release before it left the consumer: no max_deliver.
    await jsm.consumers.delete(usageLedger.stream(bucket), usageLedger.consumer);
    await jsm.consumers.add(usageLedger.stream(bucket), {
      durable_name: usageLedger.consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 10 * 1e9,
      max_ack_pending: 10_000,
    });
    expect((await jsm.consumers.info(usageLedger.stream(bucket), usageLedger.consumer)).config.max_deliver).toBe(-1);
    await ensureUsageStream(nc, bucket);
    expect((await jsm.consumers.info(usageLedger.stream(bucket), usageLedger.consumer)).config.max_deliver).toBe(usageLedger.maxDeliver);
  });

  it("a batch delivered max_deliver times without an ack: its records stored, the failure dead-lettered, the batch out of the stream", async () => {
    const bucket = uniqueName("ledger_maxdel");
    buckets.push(bucket);
    await ensureUsageStream(nc, bucket);
    const stream = usageLedger.stream(bucket);
    const subject = usageLedger.subject(bucket, "r9");
    const body = JSON.stringify({ replica: "r9", records: [rec("maxdel-1"), rec("maxdel-2")] });
    const ack = await jetstream(nc).publish(subject, signer.sign(body, subject));
    const rescued: number[] = [];
    const sub = rescueMaxDelivered(nc, bucket, logger, async (m, deliveries) => {
      await rescueMessage(pool, signer, m, deliveries);
      rescued.push(deliveries);
    });
    await nc.flush();
    // A writer that dies holding the batch, again and again (each nak is one delivery).
    const consumer = await jetstream(nc).consumers.get(stream, usageLedger.consumer);
    for (let i = 1; i <= usageLedger.maxDeliver; i++) {
      const m = await consumer.next({ expires: 2_000 });
      expect(m?.info.deliveryCount).toBe(i);
      m!.nak();
    }
    // The writer's next pull: no further delivery (the server sends the advisory instead).
    expect(await consumer.next({ expires: 1_000 })).toBeNull();
    await waitFor(() => rescued.length === 1, 10_000);
    expect(rescued).toEqual([usageLedger.maxDeliver]);
    const rows = await pool.query("SELECT id FROM usage_records WHERE id LIKE 'maxdel-%' ORDER BY id");
    expect(rows.rows.map((r) => r.id)).toEqual(["maxdel-1", "maxdel-2"]);
    const letters = await pool.query("SELECT reason, detail, replica, source, raw FROM usage_dead_letter WHERE source = $1", [
      `${stream}#${ack.seq}`,
    ]);
    expect(letters.rows).toHaveLength(1);
    expect(letters.rows[0]).toMatchObject({ reason: "max_deliveries", replica: "r9" });
    expect(letters.rows[0].detail).toContain(`delivered ${usageLedger.maxDeliver} times`);
    expect(letters.rows[0].raw).toContain('"maxdel-1"');
    await waitFor(async () => (await (await jetstreamManager(nc)).streams.info(stream)).state.messages === 0, 5_000);
    sub.unsubscribe();
  });
});
