import type { AddressInfo } from "node:net";
import { createLogger } from "@ai-router/logger";
import { parseEnv } from "./env.js";
import { startHealthWorker } from "./health-worker.js";

const parsed = parseEnv(process.env);
if (!parsed.ok) {
  process.stderr.write(`health worker: invalid environment:\n${parsed.problems.map((p) => `  - ${p}`).join("\n")}\n`);
  process.exit(2);
}
const env = parsed.env;
const logger = createLogger({ name: "health-worker", level: env.LOG_LEVEL });

const hw = startHealthWorker(env, logger);
hw.server.listen(env.HEALTH_WORKER_PORT, env.HOST, () => {
  const { port } = hw.server.address() as AddressInfo;
  logger.info(
    { port, bucket: env.bucket, everyMs: env.HEALTH_PROBE_INTERVAL_MS, concurrency: env.HEALTH_CONCURRENCY },
    "AI Router health worker listening",
  );
  logger.flush();
});

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  void hw.close().finally(() => {
    logger.info("stopped");
    logger.flush();
    process.exit(0);
  });
  setTimeout(() => process.exit(0), 15_000).unref();
};
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
