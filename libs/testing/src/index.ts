export * from "./mock-upstream/anthropic.js";
export * from "./mock-upstream/behavior.js";
export * from "./mock-upstream/gemini.js";
export * from "./mock-upstream/openai.js";
export * from "./mock-upstream/openai-responses.js";
export * from "./mock-upstream/server.js";
export * from "./spawn-service.js";
export * from "./wait.js";
