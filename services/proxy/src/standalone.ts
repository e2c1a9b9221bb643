import { ConfigError, compileConfig, loadConfigFile } from "@ai-router/config";
import type { Logger } from "@ai-router/logger";
import type { TableStore } from "./routing/table-store.js";

/**
 * Standalone mode: compile `router.yaml` into a routing table and serve it. A config error throws a
 * ConfigError naming the file, the path and the problem.
 */
export function loadStandaloneTable(file: string, store: TableStore, logger: Logger, env: NodeJS.ProcessEnv = process.env) {
  const cfg = loadConfigFile(file, env);
  const { table, warnings } = compileConfig(cfg);
  for (const w of warnings) logger.warn({ file }, w);
  const result = store.apply(table, file);
  if (!result.ok) {
    // Map "model "x": ..." back to its place in the file.
    const problems = result.reason.split("; ").map((p) => {
      const m = /^model "([^"]+)"/.exec(p);
      const i = m ? cfg.models.findIndex((x) => x.name === m[1]) : -1;
      return i >= 0 ? `models[${i}]: ${p}` : p;
    });
    throw new ConfigError(file, problems);
  }
  return cfg;
}
