export * from "./order-helpers.js";
export * from "./registry.js";
export * from "./target-health.js";
export * from "./types.js";
