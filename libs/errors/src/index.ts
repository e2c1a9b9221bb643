export * from "./codes.js";
export * from "./router-error.js";
