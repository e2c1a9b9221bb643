import type { ProviderType } from "@ai-router/contracts";
import type { ProviderAdapter } from "./adapter.js";
import { anthropicAdapter } from "./anthropic/index.js";
import { azureOpenAIAdapter } from "./azure-openai/index.js";
import { cohereAdapter } from "./cohere/index.js";
import { deepseekAdapter } from "./deepseek/index.js";
import { checkProviderRow, type ProviderCheckResult, type ProviderDescriptor, type ProviderRowCheck } from "./descriptor.js";
import { geminiAdapter } from "./gemini/index.js";
import { groqAdapter } from "./groq/index.js";
import { jinaAdapter } from "./jina/index.js";
import { minimaxAdapter } from "./minimax/index.js";
import { mistralAdapter } from "./mistral/index.js";
import { mockAdapter } from "./mock/index.js";
import { moonshotAdapter } from "./moonshot/index.js";
import { ollamaAdapter } from "./ollama/index.js";
import { openaiAdapter } from "./openai/index.js";
import { openaiCompatibleAdapter } from "./openai-compatible/index.js";
import { openrouterAdapter } from "./openrouter/index.js";
import { qianfanAdapter } from "./qianfan/index.js";
import { qwenAdapter } from "./qwen/index.js";
import { siliconflowAdapter } from "./siliconflow/index.js";
import { togetherAdapter } from "./together/index.js";
import { vllmAdapter } from "./vllm/index.js";
import { volcengineAdapter } from "./volcengine/index.js";
import { voyageAdapter } from "./voyage/index.js";
import { xaiAdapter } from "./xai/index.js";
import { zhipuAdapter } from "./zhipu/index.js";

/** Every provider this build speaks: one line per provider folder. */
const builtIn: readonly ProviderAdapter[] = [
  openaiAdapter,
  openaiCompatibleAdapter,
  volcengineAdapter,
  anthropicAdapter,
  geminiAdapter,
  mockAdapter,
  // OpenAI-compatible presets: a default base URL, a key rule and each provider's quirks.
  deepseekAdapter,
  qwenAdapter,
  moonshotAdapter,
  zhipuAdapter,
  qianfanAdapter,
  minimaxAdapter,
  siliconflowAdapter,
  openrouterAdapter,
  groqAdapter,
  mistralAdapter,
  xaiAdapter,
  togetherAdapter,
  ollamaAdapter,
  vllmAdapter,
  azureOpenAIAdapter,
  // Rerank providers.
  cohereAdapter,
  jinaAdapter,
  voyageAdapter,
];

const adapters = new Map<string, ProviderAdapter>(builtIn.map((a) => [a.type, a]));

/** Adds or replaces the adapter for a provider type (used by provider modules such as Anthropic). */
export function registerAdapter(adapter: ProviderAdapter): void {
  adapters.set(adapter.type, adapter);
}

export function getAdapter(type: ProviderType | string): ProviderAdapter | undefined {
  return adapters.get(type);
}

export function registeredTypes(): ProviderType[] {
  return [...adapters.keys()] as ProviderType[];
}

/** The descriptor of a provider type (undefined for a type this build lacks). */
export function getDescriptor(type: ProviderType | string): ProviderDescriptor | undefined {
  return adapters.get(type)?.descriptor;
}

/** The type's default base URL, if it has one. */
export function defaultBaseUrl(type: ProviderType | string): string | undefined {
  return adapters.get(type)?.descriptor.defaultBaseUrl;
}

/** The one provider-row validation of both table compilers (see {@link checkProviderRow}). */
export function checkProvider(row: ProviderRowCheck): ProviderCheckResult {
  return checkProviderRow(row, getDescriptor);
}
