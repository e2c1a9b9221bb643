export * from "./compile-config.js";
export * from "./interpolate.js";
export * from "./load-config.js";
export * from "./prices/index.js";
