import { describe, expect, it } from "vitest";
import { bundledPrice } from "./lookup.js";
import { batchPrice, fineTunedPrice, fineTuningBase, paramsInBillions, trainingPricePerMtok } from "./offline-prices.js";

describe("offline prices", () => {
  it("finds a fine-tuned model's base from its provider name or a dated snapshot", () => {
    expect(fineTuningBase("ft:gpt-4o-mini-2024-07-18:acme::abc123")).toBe("gpt-4o-mini");
    expect(fineTuningBase("gpt-4.1-2025-04-14")).toBe("gpt-4.1");
    expect(fineTuningBase("gpt-4o")).toBe("gpt-4o");
  });

  it("prices fine-tuning at OpenAI's published prices, on OpenAI and Azure OpenAI only", () => {
    expect(trainingPricePerMtok("openai", "gpt-4o-mini-2024-07-18")).toBe(3);
    expect(fineTunedPrice("azure-openai", "gpt-4o-mini")).toMatchObject({ input_per_mtok: 0.3, output_per_mtok: 1.2 });
    expect(fineTunedPrice("openai-compatible", "gpt-4o-mini")).toBeUndefined();
    expect(trainingPricePerMtok("openai", "o3")).toBeUndefined();
  });

  it("prices Mistral's training per base model and Together's by the base model's size", () => {
    expect(trainingPricePerMtok("mistral", "open-mistral-7b")).toBe(2);
    expect(trainingPricePerMtok("mistral", "ft:open-mistral-nemo:abc:20240718:def")).toBe(1);
    expect(trainingPricePerMtok("mistral", "gpt-4o-mini")).toBeUndefined();
    expect(fineTunedPrice("mistral", "open-mistral-7b")).toBeUndefined();
    expect(trainingPricePerMtok("together", "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference")).toBe(0.48);
    expect(trainingPricePerMtok("together", "Qwen/Qwen2.5-32B-Instruct")).toBe(1.5);
    expect(trainingPricePerMtok("together", "meta-llama/Llama-3.3-70B-Instruct-Reference")).toBe(2.9);
    expect(trainingPricePerMtok("together", "mistralai/Mixtral-8x7B-Instruct-v0.1")).toBe(1.5);
    expect(trainingPricePerMtok("together", "deepseek-ai/DeepSeek-V3")).toBeUndefined();
    expect(trainingPricePerMtok("together", "meta-llama/Llama-3.1-405B-Instruct")).toBeUndefined();
    expect(paramsInBillions("google/gemma-2-27b-it")).toBe(27);
    expect(paramsInBillions("Qwen/Qwen3-0.6B")).toBe(0.6);
  });

  it("halves every unit price through OpenAI's batch API and leaves other providers' prices alone", () => {
    const p = bundledPrice("openai", "gpt-4o-mini");
    expect(batchPrice("openai", p)).toEqual({ input_per_mtok: 0.075, output_per_mtok: 0.3, cached_input_per_mtok: 0.0375 });
    expect(batchPrice("deepseek", p)).toBe(p);
    expect(batchPrice("openai", undefined)).toBeUndefined();
  });
});
