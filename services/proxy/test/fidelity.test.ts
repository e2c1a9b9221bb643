import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

// Small fidelity defects a third-party harness found: what a client of each format sees from the
// router's translations (Anthropic's message_start, the demo model's output limits).
let openai: MockUpstream;
let gem: MockUpstream;
let proxy: TestProxy;

beforeAll(async () => {
  openai = await startMockUpstream();
  gem = await startMockUpstream();
  proxy = await startTestProxy({
    server: { failure_threshold: 1000 },
    providers: [
      { name: "oai", type: "openai-compatible", base_url: openai.baseUrl, api_key: "sk-oai", timeout_ms: 2000 },
      { name: "gem", type: "gemini", base_url: `${gem.url}/v1beta`, api_key: "AIza-up", timeout_ms: 2000 },
      { name: "demo", type: "mock" },
    ],
    models: [
      { name: "gpt-4o", providers: [{ provider: "oai", model: "gpt-4o-2024" }] },
      { name: "gemini-flash", providers: [{ provider: "gem", model: "gemini-2.5-flash" }] },
      { name: "demo-chat", providers: [{ provider: "demo" }] },
    ],
  });
});
afterAll(async () => {
  await proxy.close();
  await openai.close();
  await gem.close();
});

const post = (path: string, body: object) =>
  fetch(proxy.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** The JSON `data` of each SSE event. */
async function events(r: Response): Promise<Record<string, unknown>[]> {
  const text = await r.text();
  return text
    .split(/\r?\n\r?\n/)
    .map((e) =>
      e
        .split(/\r?\n/)
        .find((l) => l.startsWith("data: "))
        ?.slice(6),
    )
    .filter((d): d is string => d !== undefined && d !== "[DONE]")
    .map((d) => JSON.parse(d) as Record<string, unknown>);
}

const longPrompt = "Please summarise the routing table for me. ".repeat(40);

describe("Anthropic message_start translated from another format", () => {
  it("says the prompt's estimated input tokens (not 0) before any output, and marks them estimated", async () => {
    // Chunks apart, as a remote model streams: the upstream's usage comes only with its last chunk.
    openai.behavior.next({ chunkDelayMs: 5 });
    const r = await post("/v1/messages", {
      model: "gpt-4o",
      max_tokens: 100,
      stream: true,
      messages: [{ role: "user", content: longPrompt }],
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-router-warnings")).toContain("estimated:input_tokens");
    const evs = await events(r);
    const start = evs[0] as { type: string; message: { usage: { input_tokens: number } } };
    expect(start.type).toBe("message_start");
    // ~1760 characters of English: about 440 tokens, as count_tokens estimates them.
    const counted = (await (
      await post("/v1/messages/count_tokens", { model: "gpt-4o", messages: [{ role: "user", content: longPrompt }] })
    ).json()) as {
      input_tokens: number;
    };
    expect(start.message.usage.input_tokens).toBe(counted.input_tokens);
    expect(start.message.usage.input_tokens).toBeGreaterThan(300);
  });

  it("says the upstream's own count when its first event carries it (Gemini), without the estimate mark", async () => {
    const r = await post("/v1/messages", {
      model: "gemini-flash",
      max_tokens: 100,
      stream: true,
      messages: [{ role: "user", content: longPrompt }],
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-router-warnings") ?? "").not.toContain("estimated:input_tokens");
    const evs = await events(r);
    const start = evs[0] as { message: { usage: { input_tokens: number } } };
    const delta = evs.find((e) => e.type === "message_delta") as { usage: { input_tokens: number } };
    expect(start.message.usage.input_tokens).toBeGreaterThan(0);
    expect(start.message.usage.input_tokens).toBe(delta.usage.input_tokens);
  });
});

describe("the demo model (mock provider) honours output limits like a model", () => {
  const ask = "Tell me everything about load balancing strategies";

  it("chat: max_tokens and max_completion_tokens cut the answer with finish_reason length", async () => {
    for (const limit of [{ max_tokens: 3 }, { max_completion_tokens: 3 }]) {
      const j = (await (
        await post("/v1/chat/completions", { model: "demo-chat", messages: [{ role: "user", content: ask }], ...limit })
      ).json()) as {
        choices: { finish_reason: string; message: { content: string } }[];
        usage: { completion_tokens: number };
      };
      expect(j.choices[0]?.finish_reason).toBe("length");
      expect(j.usage.completion_tokens).toBe(3);
      expect(j.choices[0]?.message.content.length).toBeLessThanOrEqual(12);
    }
    const evs = await events(
      await post("/v1/chat/completions", { model: "demo-chat", stream: true, max_tokens: 3, messages: [{ role: "user", content: ask }] }),
    );
    const finishes = evs.map((e) => (e.choices as { finish_reason: string | null }[] | undefined)?.[0]?.finish_reason).filter(Boolean);
    expect(finishes).toEqual(["length"]);
  });

  it("Responses: max_output_tokens ends the response incomplete (JSON and stream)", async () => {
    const j = (await (await post("/v1/responses", { model: "demo-chat", input: ask, max_output_tokens: 16 })).json()) as {
      status: string;
      incomplete_details: { reason: string } | null;
      usage: { output_tokens: number };
    };
    expect(j.status).toBe("incomplete");
    expect(j.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(j.usage.output_tokens).toBe(16);
    const evs = await events(await post("/v1/responses", { model: "demo-chat", input: ask, max_output_tokens: 16, stream: true }));
    expect(evs.at(-1)).toMatchObject({ type: "response.incomplete", response: { incomplete_details: { reason: "max_output_tokens" } } });
  });

  it("Anthropic: max_tokens ends the message with stop_reason max_tokens (JSON and stream)", async () => {
    const j = (await (
      await post("/v1/messages", { model: "demo-chat", max_tokens: 3, messages: [{ role: "user", content: ask }] })
    ).json()) as {
      stop_reason: string;
      usage: { output_tokens: number };
    };
    expect(j.stop_reason).toBe("max_tokens");
    expect(j.usage.output_tokens).toBe(3);
    const evs = await events(
      await post("/v1/messages", { model: "demo-chat", max_tokens: 3, stream: true, messages: [{ role: "user", content: ask }] }),
    );
    expect(evs.find((e) => e.type === "message_delta")).toMatchObject({ delta: { stop_reason: "max_tokens" } });
  });

  it("Gemini: maxOutputTokens ends the candidate with MAX_TOKENS", async () => {
    const r = await post("/v1beta/models/demo-chat:generateContent", {
      contents: [{ role: "user", parts: [{ text: ask }] }],
      generationConfig: { maxOutputTokens: 3 },
    });
    const j = (await r.json()) as { candidates: { finishReason: string }[]; usageMetadata: { candidatesTokenCount: number } };
    expect(j.candidates[0]?.finishReason).toBe("MAX_TOKENS");
    expect(j.usageMetadata.candidatesTokenCount).toBe(3);
  });
});
