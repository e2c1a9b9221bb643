import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { createOpenAI } from "@ai-sdk/openai";
import { Agent, tool as agentTool, run, setDefaultOpenAIClient, setTracingDisabled } from "@openai/agents";
import { generateText, stepCountIs, streamText, tool } from "ai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startTestProxy, type TestProxy } from "./harness.js";

// Clients whose default is the Responses API, against a model served by an OpenAI-compatible chat
// upstream: the Vercel AI SDK's `openai(model)` and the OpenAI Agents SDK.
let chat: MockUpstream;
let proxy: TestProxy;

beforeAll(async () => {
  chat = await startMockUpstream();
  proxy = await startTestProxy({
    providers: [{ name: "compat", type: "openai-compatible", base_url: chat.baseUrl, api_key: "sk-compat", timeout_ms: 2000 }],
    models: [{ name: "chat-model", providers: [{ provider: "compat", model: "qwen-upstream" }] }],
    keys: [{ name: "client", key: "sk-router-client-1" }],
  });
});
afterAll(async () => {
  await proxy.close();
  await chat.close();
});

describe("Vercel AI SDK 6, default provider openai(model) (Responses API)", () => {
  const openai = () => createOpenAI({ baseURL: `${proxy.url}/v1`, apiKey: "sk-router-client-1" });

  it("generateText", async () => {
    const r = await generateText({ model: openai()("chat-model"), prompt: "hello from the AI SDK" });
    expect(r.text).toBe("Echo: hello from the AI SDK");
    expect(r.usage.inputTokens).toBeGreaterThan(0);
    expect(r.finishReason).toBe("stop");
    expect(chat.received("/chat/completions").at(-1)?.body).toMatchObject({ model: "qwen-upstream" });
  });

  it("streamText", async () => {
    const r = streamText({ model: openai()("chat-model"), prompt: "stream this text" });
    let text = "";
    for await (const delta of r.textStream) text += delta;
    expect(text).toBe("Echo: stream this text");
    expect((await r.usage).outputTokens).toBeGreaterThan(0);
  });

  it("a tool round trip", async () => {
    let called = "";
    const r = await generateText({
      model: openai()("chat-model"),
      prompt: "get_weather in Paris",
      tools: {
        get_weather: tool({
          description: "Weather for a city",
          inputSchema: z.object({ query: z.string(), n: z.number() }),
          execute: async ({ query }) => {
            called = query;
            return "sunny, 21C";
          },
        }),
      },
      stopWhen: stepCountIs(3),
    });
    expect(called).toBe("get_weather in Paris");
    expect(r.steps.length).toBe(2);
    expect(r.text).toContain("sunny, 21C");
  });
});

describe("OpenAI Agents SDK (@openai/agents)", () => {
  it("runs an agent with one tool to its final output", async () => {
    setTracingDisabled(true);
    setDefaultOpenAIClient(new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: "sk-router-client-1", maxRetries: 0 }));
    let asked = "";
    const getWeather = agentTool({
      name: "get_weather",
      description: "Weather for a city",
      parameters: z.object({ query: z.string(), n: z.number() }),
      execute: async ({ query }) => {
        asked = query;
        return "rainy, 12C";
      },
    });
    const agent = new Agent({ name: "Weather", instructions: "Answer with the weather.", model: "chat-model", tools: [getWeather] });
    const result = await run(agent, "get_weather in Oslo");
    expect(asked).toBe("get_weather in Oslo");
    expect(result.finalOutput).toContain("rainy, 12C");
  });
});
