import type { AddressInfo } from "node:net";
import { createLogger, exitOnSignals } from "@ai-router/logger";
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

exitOnSignals(logger, () => hw.close(), 15_000);
