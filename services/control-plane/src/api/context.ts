import type { Logger } from "@ai-router/logger";
import type { Request, Response } from "express";
import type { PrismaClient } from "../db/client.js";
import { actorOf } from "../http/admin-auth.js";
import type { ApiRegistry } from "../http/registry.js";
import type { StatsAggregator } from "../nats/stats-aggregator.js";
import type { PublishResult } from "../nats/table-publisher.js";

/** What every admin route module gets. */
export interface ApiContext {
  api: ApiRegistry;
  prisma: PrismaClient;
  masterKey: Buffer;
  logger: Logger;
  devMode: boolean;
  /** Cluster-wide counters reported by the proxies (undefined in tests without NATS). */
  stats?: StatsAggregator;
  /** Recompiles and publishes the routing table (after a change). */
  publish(reason: string, opts?: { resyncKeys?: boolean }): Promise<PublishResult>;
  /** Publishes one client key's change (its own entry in the keys bucket). */
  publishKey(hash: string, reason: string): Promise<PublishResult>;
}

export const actor = (ctx: ApiContext, req: Request) => actorOf(req.headers, ctx.devMode);

/** Publishes after a change and tells the caller which revision carries it. */
export async function published(ctx: ApiContext, res: Response, reason: string, opts?: { resyncKeys?: boolean }): Promise<PublishResult> {
  const r = await (opts ? ctx.publish(reason, opts) : ctx.publish(reason));
  res.setHeader("x-router-revision", String(r.revision));
  res.setHeader("x-router-published", String(r.published));
  return r;
}

/** Publishes one client key after a change (`hash`: its SHA-256) and tells the caller which revision serves it. */
export async function publishedKey(ctx: ApiContext, res: Response, hash: string, reason: string): Promise<PublishResult> {
  const r = await ctx.publishKey(hash, reason);
  res.setHeader("x-router-revision", String(r.revision));
  res.setHeader("x-router-published", String(r.published));
  return r;
}
