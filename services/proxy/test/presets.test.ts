import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

/** Every preset on the mock (at its real base path), each provider serving a model named after it. */
let up: MockUpstream;
let proxy: TestProxy;
const paths: Record<string, string> = {
  deepseek: "/v1",
  qwen: "/compatible-mode/v1",
  moonshot: "/v1",
  zhipu: "/api/paas/v4",
  qianfan: "/v2",
  minimax: "/v1",
  siliconflow: "/v1",
  openrouter: "/api/v1",
  groq: "/openai/v1",
  mistral: "/v1",
  xai: "/v1",
  together: "/v1",
  ollama: "/v1",
  vllm: "/v1",
};

beforeAll(async () => {
  up = await startMockUpstream();
  const providers: Record<string, unknown>[] = Object.entries(paths).map(([type, path]) => ({
    name: type,
    type,
    base_url: `${up.url}${path}`,
    // Ollama and vLLM need no key: configured without one, they still serve.
    ...(type === "ollama" || type === "vllm" ? {} : { api_key: `sk-${type}` }),
  }));
  providers.push({
    name: "azure",
    type: "azure-openai",
    base_url: `${up.url}/openai?api-version=2025-01-01-preview`,
    api_key: "azure-key-1",
  });
  const models: Record<string, unknown>[] = Object.keys(paths).map((type) => ({
    name: type,
    providers: [{ provider: type, model: `${type}-up` }],
  }));
  models.push({ name: "grok-4", providers: [{ provider: "xai", model: "grok-4-0709" }] });
  models.push({ name: "azure-chat", providers: [{ provider: "azure", model: "my-gpt4o-deployment" }] });
  models.push({ name: "azure-embed", llm_type: "embedding", providers: [{ provider: "azure", model: "my-embedding-deployment" }] });
  proxy = await startTestProxy({ providers, models });
});
afterAll(async () => {
  await proxy?.close();
  await up?.close();
});

const chat = (model: string, extra: Record<string, unknown> = {}) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], ...extra }),
  });
/** The body the mock received for the last request. */
const lastBody = () => up.requests[up.requests.length - 1]?.body as Record<string, unknown>;
const lastReq = () => up.requests[up.requests.length - 1]!;

describe("provider presets", () => {
  it("serves every preset from its default path shape, with its key (none for Ollama and vLLM)", async () => {
    for (const type of Object.keys(paths)) {
      const r = await chat(type);
      expect(r.status, type).toBe(200);
      expect(r.headers.get("x-router-provider")).toBe(type);
      expect(lastReq().path).toBe(`${paths[type]}/chat/completions`);
      expect(lastBody().model).toBe(`${type}-up`);
      const auth = lastReq().headers.authorization;
      if (type === "ollama" || type === "vllm") expect(auth).toBeUndefined();
      else expect(auth).toBe(`Bearer sk-${type}`);
    }
  });

  it("DeepSeek: reasoning_content becomes Anthropic thinking (JSON and stream), and is removed from the history sent back", async () => {
    up.behavior.next({ reasoning: "First, think.", text: "Answer." }, 2);
    const json = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "deepseek", max_tokens: 100, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(json.status).toBe(200);
    const msg = (await json.json()) as { content: { type: string; thinking?: string; text?: string }[] };
    expect(msg.content[0]).toMatchObject({ type: "thinking", thinking: "First, think." });
    expect(msg.content[1]).toMatchObject({ type: "text", text: "Answer." });
    const stream = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "deepseek", max_tokens: 100, stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    const events = await stream.text();
    expect(events).toContain('"type":"thinking_delta"');
    expect(events.indexOf("thinking_delta")).toBeLessThan(events.indexOf("text_delta"));
    // Responses API clients get it as a reasoning item before the message.
    up.behavior.next({ reasoning: "Weigh it.", text: "Done." });
    const resp = await fetch(`${proxy.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "deepseek", input: "hi", store: false }),
    });
    expect(resp.status).toBe(200);
    const out = ((await resp.json()) as { output: { type: string; summary?: { text: string }[] }[] }).output;
    expect(out[0]?.type).toBe("reasoning");
    expect(out[0]?.summary?.[0]?.text).toBe("Weigh it.");
    expect(out.some((o) => o.type === "message")).toBe(true);
    // OpenAI clients get reasoning_content as DeepSeek sends it.
    up.behavior.next({ reasoning: "Hmm.", text: "Yes." });
    const oa = (await (await chat("deepseek")).json()) as { choices: { message: { reasoning_content?: string } }[] };
    expect(oa.choices[0]?.message.reasoning_content).toBe("Hmm.");
    const history = [
      { role: "user", content: "q1" },
      { role: "assistant", content: "a1", reasoning_content: "secret thoughts" },
      { role: "user", content: "q2" },
    ];
    expect((await chat("deepseek", { messages: history })).status).toBe(200);
    expect(JSON.stringify(lastBody().messages)).not.toContain("reasoning_content");
  });

  it("Qwen: enable_thinking true on streams when asked, always false on non-streaming calls (warned when asked)", async () => {
    const plain = await chat("qwen");
    expect(lastBody().enable_thinking).toBe(false);
    expect(plain.headers.get("x-router-warnings")).toBeNull();
    const asked = await chat("qwen", { reasoning_effort: "high" });
    expect(lastBody().enable_thinking).toBe(false);
    expect(lastBody().reasoning_effort).toBeUndefined();
    expect(asked.headers.get("x-router-warnings")).toContain("enable_thinking");
    const streamed = await chat("qwen", { reasoning_effort: "high", stream: true });
    await streamed.text();
    expect(lastBody().enable_thinking).toBe(true);
  });

  it("Azure OpenAI: deployments path, api-version from the base URL, api-key header, embeddings too", async () => {
    expect((await chat("azure-chat")).status).toBe(200);
    expect(lastReq().path).toBe("/openai/deployments/my-gpt4o-deployment/chat/completions");
    expect(lastReq().headers["api-key"]).toBe("azure-key-1");
    expect(lastReq().headers.authorization).toBeUndefined();
    const e = await fetch(`${proxy.url}/v1/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "azure-embed", input: "x" }),
    });
    expect(e.status).toBe(200);
    expect(lastReq().path).toBe("/openai/deployments/my-embedding-deployment/embeddings");
  });

  it("Mistral, Moonshot, Zhipu, Groq, xAI, OpenRouter, SiliconFlow, vLLM, MiniMax: each quirk on the wire", async () => {
    await chat("mistral", {
      seed: 7,
      max_completion_tokens: 50,
      user: "u1",
      tool_choice: "required",
      tools: [{ type: "function", function: { name: "f" } }],
    });
    expect(lastBody()).toMatchObject({ random_seed: 7, max_tokens: 50, tool_choice: "any" });
    expect(lastBody().seed).toBeUndefined();
    expect(lastBody().user).toBeUndefined();
    const ms = await chat("mistral", { stream: true });
    await ms.text();
    expect(lastBody().stream_options).toBeUndefined();

    const kimi = await chat("moonshot", { temperature: 1.6 });
    expect(lastBody().temperature).toBe(1);
    expect(kimi.headers.get("x-router-warnings")).toContain("temperature");

    await chat("zhipu", { reasoning_effort: "medium" });
    expect(lastBody().thinking).toEqual({ type: "enabled" });

    const g = await chat("groq", { logit_bias: { "50256": -100 }, n: 2 });
    expect(lastBody().logit_bias).toBeUndefined();
    expect(lastBody().n).toBeUndefined();
    expect(g.headers.get("x-router-warnings")).toContain("logit_bias");

    await chat("grok-4", { presence_penalty: 0.5, stop: ["x"] });
    expect(lastBody().presence_penalty).toBeUndefined();
    await chat("xai", { presence_penalty: 0.5 });
    expect(lastBody().presence_penalty).toBe(0.5);

    await chat("openrouter", { reasoning_effort: "low" });
    expect(lastBody().reasoning).toEqual({ effort: "low" });
    expect(lastReq().headers["x-title"]).toBe("AI Router");

    await chat("siliconflow", { reasoning_effort: "high" });
    expect(lastBody().enable_thinking).toBe(true);

    await chat("vllm", { reasoning_effort: "high" });
    expect(lastBody().chat_template_kwargs).toEqual({ enable_thinking: true });

    await chat("minimax", { temperature: 0 });
    expect(lastBody().temperature).toBe(0.01);
    await chat("qianfan", { temperature: 1.5 });
    expect(lastBody().temperature).toBe(1);
  });
});
