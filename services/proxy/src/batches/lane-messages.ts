import { z } from "zod";
import { RequestRecord } from "../record/request-record.js";

/**
 * What the standalone proxy and its batch lane (batch-lane.ts, lane-main.ts) say over their IPC channel.
 * The parent: the batch lines' secret, then the spend of budgeted keys apart from the lane's own. The
 * lane: its port once it listens, then each batch line's finished record.
 */
export const ToLane = z.discriminatedUnion("t", [
  z.object({ t: z.literal("hello"), secret: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.object({ t: z.literal("spend"), at: z.number(), keys: z.record(z.string(), z.number()) }),
]);
export type ToLane = z.infer<typeof ToLane>;

export const FromLane = z.discriminatedUnion("t", [
  z.object({ t: z.literal("ready"), port: z.number().int().min(1).max(65535) }),
  z.object({
    t: z.literal("record"),
    r: z
      .object({
        requestId: z.string(),
        route: z.object({ ingress: z.string(), endpoint: z.string(), estimate: z.enum(["chat", "prompt", "none"]) }),
        keyId: z.string().nullable(),
        costUsd: z.number().nullable(),
      })
      .passthrough(),
  }),
]);
export type FromLane = z.infer<typeof FromLane>;

/** A record as it crosses the channel: its own fields (structured clone keeps them, not the class). */
export const recordMessage = (r: RequestRecord): FromLane => ({ t: "record", r: Object.assign({}, r) as never });

/** The lane's record again as the class the sinks take. */
export function recordOf(m: Extract<FromLane, { t: "record" }>): RequestRecord {
  return Object.assign(new RequestRecord(m.r.requestId, m.r.route), m.r);
}
