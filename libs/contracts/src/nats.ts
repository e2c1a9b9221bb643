import { z } from "zod";
import { RoutingTable } from "./routing-table.js";

/** NATS names shared by the control plane and the proxies. */
export const nats = {
  /** JetStream KV bucket holding the routing table (override with ROUTER_NATS_BUCKET). */
  routingBucket: "ai-router-routing",
  /** Key of the current table inside the bucket. */
  routingKey: "table",
} as const;

/** Bucket names NATS accepts: letters, digits, `-` and `_`. */
const bucketName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, - and _ only");

/** The routing bucket for this environment: `ROUTER_NATS_BUCKET` (tests isolate themselves with it) or the default. */
export function routingBucketName(env: NodeJS.ProcessEnv = process.env): string {
  const v = env.ROUTER_NATS_BUCKET;
  return v ? bucketName.parse(v) : nats.routingBucket;
}

/** Payload schemas per KV key: what a watcher must validate before use. */
export const natsPayloads = {
  [nats.routingKey]: RoutingTable,
} as const;
