import { usageLedger } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { z } from "zod";
import type { LedgerMessage } from "./store-messages.js";

/** JetStream's MAX_DELIVERIES advisory (`io.nats.jetstream.advisory.v1.max_deliver`): the fields read. */
const Advisory = z.object({
  stream: z.string(),
  consumer: z.string(),
  stream_seq: z.number().int().positive(),
  deliveries: z.number().int(),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A batch the stream stopped redelivering (it reached `usageLedger.maxDeliver`: writers died holding it)
 * stays in the work-queue stream, out of the consumer's reach. On JetStream's advisory one writer (a
 * queue group) reads it back by sequence and hands it to `rescue` (store what can be, record the
 * failure in `usage_dead_letter`), and only then deletes it from the stream. While Postgres is away it
 * retries for up to 10 minutes; the batch stays in the stream meanwhile, never dropped in silence.
 * The advisory itself is not trusted: `rescue` checks the batch's signature and stores idempotently,
 * so a forged advisory can only make a pending batch be stored early.
 */
export function rescueMaxDelivered(
  nc: NatsConnection,
  bucket: string,
  logger: Logger,
  rescue: (m: LedgerMessage, deliveries: number) => Promise<void>,
): Subscription {
  const stream = usageLedger.stream(bucket);
  const handle = async (seq: number, deliveries: number) => {
    const jsm = await jetstreamManager(nc);
    for (let attempt = 1; attempt <= 120; attempt++) {
      const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (m === null) return; // acknowledged after all, or rescued by another writer
      try {
        await rescue({ data: m.data, subject: m.subject, source: `${stream}#${seq}` }, deliveries);
        await jsm.streams.deleteMessage(stream, seq, false).catch(() => {});
        logger.error(
          { stream, seq, deliveries, subject: m.subject, bytes: m.data.length },
          "usage batch reached its delivery limit: dead-lettered",
        );
        return;
      } catch (err) {
        if (attempt === 1)
          logger.warn({ err: (err as Error).message, seq }, "usage batch at its delivery limit not dead-lettered yet; retrying");
        await sleep(5_000);
      }
    }
    logger.error({ stream, seq }, "usage batch at its delivery limit left in the stream (Postgres unreachable for 10 minutes)");
  };
  return nc.subscribe(usageLedger.maxDeliveriesAdvisory(bucket), {
    queue: usageLedger.consumer,
    callback: (err, msg) => {
      if (err) return;
      let a: z.infer<typeof Advisory> | undefined;
      try {
        const r = Advisory.safeParse(msg.json());
        if (r.success) a = r.data;
      } catch {
        // not JSON: not an advisory
      }
      if (a === undefined || a.stream !== stream) return;
      void handle(a.stream_seq, a.deliveries).catch((e) => logger.warn({ err: (e as Error).message }, "dead-lettering failed"));
    },
  });
}
