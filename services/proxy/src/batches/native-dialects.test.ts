import { describe, expect, it } from "vitest";
import { nativeEndpoint } from "./native-dialects.js";

const azure = (baseUrl: string) => ({ type: "azure-openai", baseUrl });

describe("native batch dialects", () => {
  it("names Azure's classic batch endpoints without /v1 and takes chat and embeddings only", () => {
    const classic = azure("https://r.openai.azure.com/openai?api-version=2024-10-21");
    expect(nativeEndpoint(classic, "/v1/chat/completions")).toBe("/chat/completions");
    expect(nativeEndpoint(classic, "/v1/embeddings")).toBe("/embeddings");
    expect(nativeEndpoint(classic, "/v1/responses")).toBeUndefined();
  });

  it("uses OpenAI's names on Azure's v1 API (a base URL ending in /openai/v1), /v1/responses included", () => {
    for (const base of [
      "https://r.openai.azure.com/openai/v1",
      "https://r.openai.azure.com/openai/v1/",
      "https://r.openai.azure.com/openai/v1?api-version=preview",
    ]) {
      expect(nativeEndpoint(azure(base), "/v1/responses"), base).toBe("/v1/responses");
      expect(nativeEndpoint(azure(base), "/v1/chat/completions"), base).toBe("/v1/chat/completions");
      expect(nativeEndpoint(azure(base), "/v1/completions"), base).toBeUndefined();
    }
    expect(nativeEndpoint(azure("https://r.openai.azure.com/openai/v10"), "/v1/responses")).toBeUndefined();
  });

  it("keeps OpenAI's four endpoints and knows no batch API for other types", () => {
    expect(nativeEndpoint({ type: "openai", baseUrl: "https://api.openai.com/v1" }, "/v1/completions")).toBe("/v1/completions");
    expect(nativeEndpoint({ type: "deepseek", baseUrl: "https://api.deepseek.com" }, "/v1/chat/completions")).toBeUndefined();
  });
});
