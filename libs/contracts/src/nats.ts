/** NATS names shared by the control plane and the proxies. */
export const nats = {
  /** JetStream KV bucket holding the routing table. */
  routingBucket: "ai-router-routing",
  /** Key of the current table inside the bucket. */
  routingKey: "table",
} as const;
