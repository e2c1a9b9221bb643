export * from "./admin-forward.js";
export * from "./routing-watcher.js";
export * from "./stats-reporter.js";
export * from "./table-cache.js";
