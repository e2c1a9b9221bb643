import { routingBucketName } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { MemoryResponseStore, RedisResponseStore, type ResponseStore } from "./store.js";

/**
 * Cluster mode's response store: Redis when `REDIS_URL` is set (every replica sees every stored
 * response; keys `ai-router:{bucket}:responses:{id}` expire with the TTL), else memory per replica.
 * ioredis is loaded only here, so standalone never pays for it.
 */
export async function openClusterResponseStore(
  env: { REDIS_URL?: string | undefined; ROUTER_NATS_BUCKET?: string | undefined },
  ttlMs: number,
  limits: { maxEntries: number; maxBytes: number },
  logger: Logger,
): Promise<ResponseStore> {
  if (!env.REDIS_URL) {
    logger.warn("REDIS_URL is not set: stored responses (previous_response_id) live in each proxy replica's memory");
    return new MemoryResponseStore({ ttlMs, ...limits });
  }
  const { Redis } = await import("ioredis");
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.on("error", (err: Error) => logger.warn({ err: err.message }, "responses store: Redis error"));
  const bucket = routingBucketName({ ROUTER_NATS_BUCKET: env.ROUTER_NATS_BUCKET });
  return new RedisResponseStore(redis, `ai-router:${bucket}:responses:`, ttlMs);
}
