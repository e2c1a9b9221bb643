import type { AddressInfo } from "node:net";
import { createLogger, exitOnSignals } from "@ai-router/logger";
import { startControlPlane } from "./control-plane.js";
import { migrateDeploy } from "./db/migrate.js";
import { parseEnv } from "./env.js";

const parsed = parseEnv(process.env);
if (!parsed.ok) {
  process.stderr.write(`control plane: invalid environment:\n${parsed.problems.map((p) => `  - ${p}`).join("\n")}\n`);
  process.exit(2);
}
const env = parsed.env;
const logger = createLogger({ name: "control-plane", level: env.LOG_LEVEL });
if (!env.ROUTER_ADMIN_TOKEN) logger.warn("ROUTER_DEV_MODE: the admin API accepts requests without a token; never run this in production");

if (!env.SKIP_MIGRATIONS) {
  const t = Date.now();
  try {
    await migrateDeploy(env.DATABASE_URL);
    logger.info({ ms: Date.now() - t }, "database migrations applied");
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, "database migrations failed");
    logger.flush();
    process.exit(1);
  }
}

const cp = await startControlPlane(env, logger);
const { port } = cp.server.address() as AddressInfo;
logger.info({ port, bucket: env.bucket }, "AI Router control plane listening");
logger.flush();

exitOnSignals(logger, () => cp.close(), 10_000);
