import { describe, expect, it } from "vitest";
import { checkProvider, getDescriptor } from "./registry.js";

const defaults: Record<string, string | undefined> = {
  deepseek: "https://api.deepseek.com/v1",
  qwen: "https://dashscope.aliyuncs.com/compatible-mode/v1",
  moonshot: "https://api.moonshot.cn/v1",
  zhipu: "https://open.bigmodel.cn/api/paas/v4",
  qianfan: "https://qianfan.baidubce.com/v2",
  minimax: "https://api.minimax.chat/v1",
  siliconflow: "https://api.siliconflow.cn/v1",
  openrouter: "https://openrouter.ai/api/v1",
  groq: "https://api.groq.com/openai/v1",
  mistral: "https://api.mistral.ai/v1",
  xai: "https://api.x.ai/v1",
  together: "https://api.together.xyz/v1",
  ollama: "http://127.0.0.1:11434/v1",
  vllm: "http://127.0.0.1:8000/v1",
  "azure-openai": undefined,
};

describe("preset descriptors", () => {
  it("give each preset its default base URL and key rule", () => {
    for (const [type, url] of Object.entries(defaults)) {
      const d = getDescriptor(type);
      expect(d, type).toBeDefined();
      expect(d?.defaultBaseUrl, type).toBe(url);
      const local = type === "ollama" || type === "vllm";
      expect(d?.keyRequired, type).toBe(!local);
      const noKey = checkProvider({ name: "p", type, baseUrl: undefined, keyCount: 0 });
      if (local) expect(noKey).toMatchObject({ ok: true, baseUrl: url });
      else expect(noKey.ok).toBe(false);
    }
    // Azure has no default: the resource is the user's.
    expect(checkProvider({ name: "a", type: "azure-openai", baseUrl: undefined, keyCount: 1 })).toEqual({
      ok: false,
      problem: "no_base_url",
    });
  });

  it("probe each provider's free model list, or nothing where none is documented", () => {
    expect(getDescriptor("deepseek")?.probePath("/v1")).toBe("/models");
    expect(getDescriptor("azure-openai")?.probePath("/openai")).toMatch(/^\/models\?api-version=/);
    // Azure's v1 API lists its models without an api-version.
    expect(getDescriptor("azure-openai")?.probePath("/openai/v1")).toBe("/models");
    for (const t of ["zhipu", "qianfan", "minimax"]) expect(getDescriptor(t)?.probePath("/x"), t).toBeUndefined();
    expect(getDescriptor("azure-openai")?.authHeaders({ headers: {}, apiKey: "k" })).toEqual({ "api-key": "k" });
  });
});
