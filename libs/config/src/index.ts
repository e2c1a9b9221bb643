export * from "./compile-config.js";
export * from "./interpolate.js";
export * from "./load-config.js";
