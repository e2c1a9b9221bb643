export * from "./estimates.js";
export { dominates, objectivesOf } from "./objectives.js";
export { StrategyOptionsError } from "./options.js";
export * from "./order-helpers.js";
export * from "./registry.js";
export { seededRng } from "./rng.js";
export { performanceScore } from "./strategies/performance-based.js";
export * from "./target-health.js";
export * from "./types.js";
