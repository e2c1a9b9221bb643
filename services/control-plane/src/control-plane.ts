import type { Server } from "node:http";
import { publishSigned } from "@ai-router/cluster";
import { createSigner, natsSubjects } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { createApp } from "./app.js";
import { createPrisma, type PrismaClient } from "./db/client.js";
import { sealStoredHeaders } from "./db/sealed-headers.js";
import { type ControlPlaneEnv, tableSettings } from "./env.js";
import { ControlPlaneMetrics } from "./http/metrics.js";
import { LiveHealth } from "./nats/live-health.js";
import { NatsLink } from "./nats/nats-link.js";
import { SpendLedger } from "./nats/spend-ledger.js";
import { StatsAggregator } from "./nats/stats-aggregator.js";
import { TablePublisher } from "./nats/table-publisher.js";

export interface ControlPlane {
  server: Server;
  prisma: PrismaClient;
  publisher: TablePublisher;
  link: NatsLink;
  close(): Promise<void>;
}

/** Wires database, NATS, publisher and the admin API, and listens. Migrations are main.ts's job. */
export async function startControlPlane(env: ControlPlaneEnv, logger: Logger): Promise<ControlPlane> {
  const prisma = createPrisma(env.DATABASE_URL);
  await prisma.$connect();
  // Rows from before provider headers were sealed: sealed now, before any table is published.
  const sealed = await sealStoredHeaders(prisma, env.masterKey);
  if (sealed > 0) logger.info({ providers: sealed }, "sealed the plaintext header values of providers");
  let publisher: TablePublisher | undefined;
  // Tables, spend updates and stats commands are signed with a key derived from ROUTER_MASTER_KEY.
  const signer = createSigner(env.masterKey);
  const stats = new StatsAggregator(env.bucket, logger, signer);
  const liveHealth = new LiveHealth(env.bucket, logger, signer);
  const link = new NatsLink({
    url: env.NATS_URL,
    bucket: env.bucket,
    logger,
    name: "ai-router-control-plane",
    onReconnect: () => publisher?.resync(),
    onConnect: (nc) => {
      stats.attach(nc);
      liveHealth.attach(nc);
    },
  });
  publisher = new TablePublisher(prisma, link, logger, signer, env.bucket, tableSettings(env));
  const pub = publisher;
  const spend = new SpendLedger(
    prisma,
    (update) => {
      const nc = link.connection;
      if (nc) publishSigned(nc, signer, natsSubjects.spend(env.bucket), update);
    },
    logger,
  );
  stats.spend = spend;
  spend.start();
  // The bucket gets the current table as soon as NATS is reachable (a fresh bucket, a reset server).
  void link.ready.then(
    () => pub.publish("start-up"),
    () => {},
  );
  const metrics = new ControlPlaneMetrics(
    () => pub.counts,
    () => pub.lastPublished,
    { legacyNames: env.ROUTER_METRICS_LEGACY_NAMES },
  );
  const app = createApp({
    metrics,
    prisma,
    logger,
    masterKey: env.masterKey,
    adminToken: env.ROUTER_DEV_MODE && !env.ROUTER_ADMIN_TOKEN ? undefined : env.ROUTER_ADMIN_TOKEN,
    publish: (reason, opts) => pub.publish(reason, opts),
    publishKey: (hash, reason) => pub.publishKey(hash, reason),
    stats,
    liveHealth,
    ...(env.ROUTER_PROXY_URL ? { proxyUrl: env.ROUTER_PROXY_URL } : {}),
    ...(env.ROUTER_METRICS_TOKEN ? { metricsToken: env.ROUTER_METRICS_TOKEN } : {}),
    ...(env.ROUTER_CONSOLE_DIR ? { consoleDir: env.ROUTER_CONSOLE_DIR } : {}),
    status: () => ({ nats: link.connected ? "connected" : "disconnected", revision: pub.lastPublished ?? null, bucket: env.bucket }),
  });
  const server = app.listen(env.PORT, env.HOST);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  server.keepAliveTimeout = 65_000;
  return {
    server,
    prisma,
    publisher: pub,
    link,
    async close() {
      await spend.stop().catch(() => {});
      pub.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await link.close();
      await prisma.$disconnect();
    },
  };
}
