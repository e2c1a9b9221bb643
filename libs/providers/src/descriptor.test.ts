import { providerTypes } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import { multipartEndpointOf, passthroughEndpoint, type TargetContext } from "./adapter.js";
import { checkProvider, getAdapter, getDescriptor, registeredTypes } from "./registry.js";
import { toRuntimeProvider } from "./runtime-provider.js";

const KEY = "sk-descriptor-test-key-1234";

describe("provider descriptors", () => {
  it("every provider type of the contract has an adapter whose descriptor names it", () => {
    for (const type of providerTypes) {
      const a = getAdapter(type);
      expect(a, type).toBeDefined();
      expect(a?.descriptor.type).toBe(type);
    }
    expect(new Set(registeredTypes())).toEqual(new Set(providerTypes));
  });

  it("lists exactly the native formats the adapter serves", () => {
    for (const type of registeredTypes()) {
      const a = getAdapter(type)!;
      expect([...a.descriptor.nativeFormats].sort(), type).toEqual(Object.keys(a.native ?? {}).sort());
    }
    expect(getDescriptor("anthropic")?.nativeFormats).toContain("messages");
  });

  it("declares exactly the router endpoints its adapter implements", () => {
    for (const type of registeredTypes()) {
      const a = getAdapter(type)!;
      const implemented = [
        "chat",
        ...(a.embeddings ? ["embeddings"] : []),
        ...(a.imageGenerations ? ["images.generations"] : []),
        ...(a.imageEdits ? ["images.edits"] : []),
        ...(a.imageVariations ? ["images.variations"] : []),
        ...(a.completions ? ["completions"] : []),
        ...(a.moderations ? ["moderations"] : []),
        ...(a.rerank ? ["rerank"] : []),
        ...(a.speech ? ["audio.speech"] : []),
        ...(a.transcriptions ? ["audio.transcriptions"] : []),
        ...(a.translations ? ["audio.translations"] : []),
      ];
      expect([...a.descriptor.endpoints].sort(), type).toEqual(implemented.sort());
      expect(passthroughEndpoint(a, "embeddings") !== undefined, type).toBe(a.descriptor.endpoints.includes("embeddings"));
      expect(multipartEndpointOf(a, "images.edits") !== undefined, type).toBe(a.descriptor.endpoints.includes("images.edits"));
      expect(passthroughEndpoint(a, "rerank") !== undefined, type).toBe(a.descriptor.endpoints.includes("rerank"));
      expect(multipartEndpointOf(a, "audio.transcriptions") !== undefined, type).toBe(
        a.descriptor.endpoints.includes("audio.transcriptions"),
      );
    }
    // Rerank: its own providers and the servers that speak Jina's format; never OpenAI itself.
    for (const type of ["cohere", "jina", "voyage", "siliconflow", "qwen", "vllm", "openai-compatible"])
      expect(getDescriptor(type)?.endpoints, type).toContain("rerank");
    expect(getDescriptor("openai")?.endpoints).not.toContain("rerank");
    expect(getDescriptor("jina")?.endpoints).not.toContain("images.edits");
    expect(getDescriptor("anthropic")?.endpoints).toEqual(["chat"]);
    expect(getDescriptor("gemini")?.endpoints).toContain("embeddings");
  });

  it("authenticates a chat request with exactly the headers the descriptor gives a probe", () => {
    for (const type of registeredTypes()) {
      const a = getAdapter(type)!;
      const d = a.descriptor;
      const baseUrl = d.defaultBaseUrl ?? "http://127.0.0.1:9/v1";
      const provider = toRuntimeProvider(
        {
          name: "p",
          type,
          baseUrl,
          apiKeys: [KEY],
          timeoutMs: 1000,
          connectTimeoutMs: 1000,
          headers: { "x-extra": "1" },
          streamUsage: true,
          maxConnections: 1,
        },
        [KEY],
      );
      const auth = d.authHeaders({ headers: provider.headers, apiKey: KEY });
      expect(Object.values(auth).join(" "), type).toContain(KEY);
      expect(auth["x-extra"], type).toBe("1");
      const target: TargetContext = { provider, apiKey: KEY, upstreamModel: "m", params: {}, clientHeaders: {} };
      const built = a.buildChatRequest({ model: "m", messages: [{ role: "user", content: "hi" }] }, target, {
        stream: false,
        clientWantsUsage: false,
      });
      for (const [k, v] of Object.entries(auth)) expect(built.request.headers[k], `${type} ${k}`).toBe(v);
      const probe = d.probePath(provider.basePath);
      if (a.transport) expect(probe).toBeUndefined();
      // A model list (Azure adds its api-version); presets without a documented free list are never probed.
      else if (probe !== undefined) expect(probe, type).toMatch(/^\/.*models(\?api-version=[\w.-]+)?$/);
      else expect(["zhipu", "qianfan", "minimax", "jina", "voyage"], type).toContain(type);
    }
  });

  it("one row validation: unknown type, missing base URL, missing key, defaults applied", () => {
    expect(checkProvider({ name: "x", type: "nope", baseUrl: undefined, keyCount: 1 })).toEqual({ ok: false, problem: "unknown_type" });
    expect(checkProvider({ name: "x", type: "openai-compatible", baseUrl: null, keyCount: 0 })).toEqual({
      ok: false,
      problem: "no_base_url",
    });
    expect(checkProvider({ name: "x", type: "anthropic", baseUrl: undefined, keyCount: 0 })).toEqual({ ok: false, problem: "no_key" });
    const ok = checkProvider({ name: "x", type: "openai", baseUrl: "https://example.com/v1//", keyCount: 1 });
    expect(ok.ok && ok.baseUrl).toBe("https://example.com/v1");
    const def = checkProvider({ name: "x", type: "gemini", baseUrl: undefined, keyCount: 1 });
    expect(def.ok && def.baseUrl).toBe("https://generativelanguage.googleapis.com/v1beta");
    expect(checkProvider({ name: "x", type: "mock", baseUrl: undefined, keyCount: 0 }).ok).toBe(true);
  });
});
