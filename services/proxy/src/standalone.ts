import { watch } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { ConfigError, compileConfig, loadConfigFile } from "@ai-router/config";
import type { RouterConfigFile } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { TableStore } from "./routing/table-store.js";

/**
 * Standalone mode: compile `router.yaml` into a routing table and serve it. A config error throws a
 * ConfigError naming the file, the path and the problem. Each load gets the next revision, so a reload
 * is never mistaken for the table already served.
 */
export function loadStandaloneTable(file: string, store: TableStore, logger: Logger, env: NodeJS.ProcessEnv = process.env) {
  const cfg = loadConfigFile(file, env);
  const { table, warnings } = compileConfig(cfg, (store.current?.revision ?? 0) + 1);
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

export type ReloadResult = { ok: true; revision: number; models: number } | { ok: false; reason: string };

/**
 * Reloads `router.yaml` on demand, on SIGHUP and when the file changes. A file that does not load keeps
 * the last good table and says why (one warning line naming the file, the path and the problem).
 */
export class ConfigReloader {
  private cfg: RouterConfigFile;
  private watcher: ReturnType<typeof watch> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onHup = () => void this.reload("SIGHUP");

  constructor(
    readonly file: string,
    private readonly store: TableStore,
    private readonly logger: Logger,
    initial: RouterConfigFile,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.cfg = initial;
  }

  /** The config being served (the last one that loaded). */
  get config(): RouterConfigFile {
    return this.cfg;
  }

  reload(reason: string): ReloadResult {
    try {
      this.cfg = loadStandaloneTable(this.file, this.store, this.logger, this.env);
      const t = this.store.current!;
      this.logger.info({ file: this.file, reason, revision: t.revision }, "config reloaded");
      return { ok: true, revision: t.revision, models: t.models.size };
    } catch (err) {
      const why = err instanceof ConfigError ? err.problems.join("; ") : (err as Error).message;
      this.logger.warn(
        { file: this.file, reason, problem: why, servedRevision: this.store.current?.revision ?? null },
        "config not reloaded; keeping the last good table",
      );
      return { ok: false, reason: why };
    }
  }

  /**
   * Starts reloading on SIGHUP and on changes to the file. The directory is watched, not the file:
   * editors and `kubectl` ConfigMaps replace files by renaming, which a watch on the file would miss.
   */
  start(debounceMs = 200): void {
    process.on("SIGHUP", this.onHup);
    const name = basename(this.file);
    try {
      this.watcher = watch(dirname(resolve(this.file)), (_event, changed) => {
        if (changed !== null && changed !== name && !changed.startsWith("..")) return;
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload("file changed"), debounceMs);
      });
      this.watcher.on("error", (err) =>
        this.logger.warn({ err: err.message, file: this.file }, "config watch failed; SIGHUP still reloads"),
      );
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, file: this.file }, "cannot watch the config file; SIGHUP still reloads");
    }
  }

  stop(): void {
    process.off("SIGHUP", this.onHup);
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.close();
  }
}
