import { describe, expect, it } from "vitest";
import { compileConfig } from "../compile-config.js";
import { parseConfig } from "../load-config.js";
import { bundledPrice, configLinks, PRICE_LIST, PRICE_LIST_DATE, priceReport } from "./index.js";

describe("bundled price list", () => {
  it("is dated and prices every row sensibly (no negative or NaN, cached below input)", () => {
    expect(PRICE_LIST_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const row of PRICE_LIST) {
      const p = row.price;
      for (const v of [p.input_per_mtok, p.output_per_mtok, p.cached_input_per_mtok ?? 0, p.per_image ?? 0]) {
        expect(Number.isFinite(v) && v >= 0, row.models.join(",")).toBe(true);
      }
      if (p.cached_input_per_mtok !== undefined) expect(p.cached_input_per_mtok).toBeLessThanOrEqual(p.input_per_mtok);
    }
  });

  it("knows the common models of the presets and existing providers, case-insensitively", () => {
    expect(bundledPrice("openai", "gpt-4o")).toEqual({ input_per_mtok: 2.5, output_per_mtok: 10, cached_input_per_mtok: 1.25 });
    expect(bundledPrice("openai-compatible", "deepseek-chat")?.cached_input_per_mtok).toBe(0.028);
    expect(bundledPrice("deepseek", "DeepSeek-Reasoner")?.output_per_mtok).toBe(0.42);
    expect(bundledPrice("anthropic", "claude-sonnet-4-5")?.input_per_mtok).toBe(3);
    // Anthropic bills cache writes above the input price: 1.25x for 5 minutes, 2x for an hour.
    expect(bundledPrice("anthropic", "claude-sonnet-4-5")).toMatchObject({ cache_write_per_mtok: 3.75, cache_write_1h_per_mtok: 6 });
    expect(bundledPrice("anthropic", "claude-haiku-4-5")).toMatchObject({ cache_write_per_mtok: 1.25, cache_write_1h_per_mtok: 2 });
    expect(bundledPrice("gemini", "gemini-2.5-flash")?.output_per_mtok).toBe(2.5);
    for (const [type, model] of [
      ["qwen", "qwen-plus"],
      ["moonshot", "kimi-k2-0905-preview"],
      ["zhipu", "glm-4.5"],
      ["qianfan", "ernie-4.5-turbo-128k"],
      ["minimax", "MiniMax-M2"],
      ["siliconflow", "deepseek-ai/DeepSeek-V3"],
      ["groq", "llama-3.3-70b-versatile"],
      ["mistral", "mistral-large-latest"],
      ["xai", "grok-4"],
      ["together", "meta-llama/Llama-3.3-70B-Instruct-Turbo"],
      ["volcengine", "doubao-seed-1-6"],
    ] as const) {
      expect(bundledPrice(type, model), `${type} ${model}`).toBeDefined();
    }
  });

  it("prices realtime models' audio tokens apart from their text tokens", () => {
    expect(bundledPrice("openai", "gpt-realtime")).toEqual({
      input_per_mtok: 4,
      cached_input_per_mtok: 0.4,
      output_per_mtok: 16,
      input_audio_per_mtok: 32,
      cached_input_audio_per_mtok: 0.4,
      output_audio_per_mtok: 64,
    });
    expect(bundledPrice("openai", "gpt-4o-realtime-preview")).toMatchObject({ input_audio_per_mtok: 40, output_audio_per_mtok: 80 });
    expect(bundledPrice("azure-openai", "gpt-4o-mini-realtime-preview")).toMatchObject({
      input_audio_per_mtok: 10,
      output_audio_per_mtok: 20,
    });
  });

  it("prices images per image", () => {
    expect(bundledPrice("openai", "dall-e-3")).toMatchObject({ per_image: 0.04 });
  });

  it("leaves unknown models unpriced, and provider-specific rows to their provider", () => {
    expect(bundledPrice("openai-compatible", "my-finetune")).toBeUndefined();
    expect(bundledPrice("volcengine", "ep-20250101-abcde")).toBeUndefined();
    // Groq's price for a Llama model is Groq's, not a guess for any other host.
    expect(bundledPrice("openai-compatible", "llama-3.3-70b-versatile")).toBeUndefined();
    expect(bundledPrice("together", "deepseek-ai/DeepSeek-V3")?.input_per_mtok).toBe(1.25);
    expect(bundledPrice("siliconflow", "deepseek-ai/DeepSeek-V3")?.input_per_mtok).toBeCloseTo(2 / 7.2, 4);
  });

  it("prices OpenRouter's vendor/model ids at the vendor's list price", () => {
    expect(bundledPrice("openrouter", "openai/gpt-4o")?.input_per_mtok).toBe(2.5);
    expect(bundledPrice("openrouter", "someone/unknown")).toBeUndefined();
    expect(bundledPrice("openai-compatible", "openai/gpt-4o")).toBeUndefined();
  });
});

const yaml = `
providers:
  - { name: oa, type: openai, api_key: sk-test }
  - { name: local, type: openai-compatible, base_url: "http://127.0.0.1:1/v1" }
  - { name: demo, type: mock }
models:
  - name: gpt-4o
    providers:
      - { provider: oa }
  - name: cheap-4o
    providers:
      - { provider: oa, model: gpt-4o, price: { input_per_mtok: 1, output_per_mtok: 2 } }
  - name: mine
    providers: [{ provider: local, model: my-finetune }]
  - name: demo-chat
    providers: [{ provider: demo }]
`;

describe("prices in compiled tables", () => {
  it("fills the bundled price when a link has none, keeps a link's own, and leaves unknown models unpriced", () => {
    const { table } = compileConfig(parseConfig(yaml, "router.yaml", {}));
    const target = (m: string) => table.models.find((x) => x.name === m)?.targets[0];
    expect(target("gpt-4o")?.price).toEqual({ input_per_mtok: 2.5, output_per_mtok: 10, cached_input_per_mtok: 1.25 });
    expect(target("cheap-4o")?.price).toEqual({ input_per_mtok: 1, output_per_mtok: 2 });
    expect(target("mine")).toBeDefined();
    expect(target("mine")?.price).toBeUndefined();
  });

  it("reports the unpriced links of a config (the local mock is never reported)", () => {
    const r = priceReport(configLinks(parseConfig(yaml, "router.yaml", {})));
    expect(r.links.map((l) => l.source)).toEqual(["bundled", "link", "none", "none"]);
    expect(r.unpriced.map((l) => `${l.model}@${l.provider}`)).toEqual(["mine@local"]);
  });
});
