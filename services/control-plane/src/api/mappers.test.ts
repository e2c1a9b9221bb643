import { describe, expect, it } from "vitest";
import { adapterFromName } from "./mappers.js";

describe("adapterFromName", () => {
  it("guesses the adapter from common provider names, as the original did", () => {
    const cases: Record<string, string> = {
      OpenAI: "openai",
      "openai-main": "openai",
      "azure-openai": "azure-openai",
      Anthropic: "anthropic",
      volcengine: "volcengine",
      Doubao: "volcengine",
      gemini: "gemini",
      Google: "gemini",
      DeepSeek: "deepseek",
      "deepseek-backup": "deepseek",
      qwen: "qwen",
      aliqwen: "qwen",
      DashScope: "qwen",
      Kimi: "moonshot",
      moonshot: "moonshot",
      zhipu: "zhipu",
      GLM: "zhipu",
      qianfan: "qianfan",
      ERNIE: "qianfan",
      MiniMax: "minimax",
      SiliconFlow: "siliconflow",
      OpenRouter: "openrouter",
      groq: "groq",
      Mistral: "mistral",
      xAI: "xai",
      Grok: "xai",
      "together-ai": "together",
      ollama: "ollama",
      vLLM: "vllm",
      "private-server": "openai-compatible",
      whatever: "openai-compatible",
    };
    for (const [name, adapter] of Object.entries(cases)) expect(adapterFromName(name), name).toBe(adapter);
  });
});
