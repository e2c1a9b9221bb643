import type { ProviderType } from "@ai-router/contracts";
import type { ProviderAdapter } from "./adapter.js";
import { anthropicAdapter } from "./anthropic/index.js";
import { geminiAdapter } from "./gemini/index.js";
import { mockAdapter } from "./mock/index.js";
import { openaiAdapter } from "./openai/index.js";
import { openaiCompatibleAdapter } from "./openai-compatible/index.js";
import { volcengineAdapter } from "./volcengine/index.js";

const adapters = new Map<ProviderType, ProviderAdapter>([
  ["openai", openaiAdapter],
  ["openai-compatible", openaiCompatibleAdapter],
  ["volcengine", volcengineAdapter],
  ["anthropic", anthropicAdapter],
  ["gemini", geminiAdapter],
  ["mock", mockAdapter],
]);

/** Adds or replaces the adapter for a provider type (used by provider modules such as Anthropic). */
export function registerAdapter(adapter: ProviderAdapter): void {
  adapters.set(adapter.type, adapter);
}

export function getAdapter(type: ProviderType): ProviderAdapter | undefined {
  return adapters.get(type);
}

export function registeredTypes(): ProviderType[] {
  return [...adapters.keys()];
}
