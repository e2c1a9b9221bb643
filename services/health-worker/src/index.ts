export { maskSecrets, type ProbeResult, type ProbeTarget, probePath, probeProvider } from "@ai-router/providers";
export * from "./env.js";
export * from "./health-worker.js";
export * from "./probe-targets.js";
export * from "./results.js";
export * from "./scheduler.js";
export * from "./table-watcher.js";
