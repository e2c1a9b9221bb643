export * from "./admin-api.js";
export * from "./config-file.js";
export * from "./health.js";
export * from "./nats.js";
export * from "./openai-chat.js";
export * from "./routing-table.js";
export * from "./secrets.js";
export * from "./service-env.js";
