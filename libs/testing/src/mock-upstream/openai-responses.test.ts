import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "./server.js";

// The mock's /responses must be indistinguishable from OpenAI's to the official client.
let mock: MockUpstream;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMockUpstream();
  client = new OpenAI({ baseURL: mock.baseUrl, apiKey: "sk-test", maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.behavior.reset());

const weather = {
  type: "function" as const,
  name: "get_weather",
  parameters: { type: "object", properties: { city: { type: "string" } } },
  strict: false,
};

describe("mock OpenAI Responses upstream, parsed by the official openai client", () => {
  it("answers responses.create with a message, output_text and usage", async () => {
    const r = await client.responses.create({ model: "gpt-4.1", input: "hello", instructions: "Be brief." });
    expect(r.object).toBe("response");
    expect(r.status).toBe("completed");
    expect(r.output_text).toBe("Echo: hello");
    expect(r.usage?.total_tokens).toBe((r.usage?.input_tokens ?? 0) + (r.usage?.output_tokens ?? 0));
    expect(mock.received("/responses")[0]?.headers.authorization).toBe("Bearer sk-test");
  });

  it("streams the full event sequence that responses.stream() assembles into the same response", async () => {
    const stream = client.responses.stream({ model: "gpt-4.1", input: "hello there friend" });
    const types: string[] = [];
    const seqs: number[] = [];
    for await (const ev of stream) {
      types.push(ev.type);
      seqs.push(ev.sequence_number);
    }
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("Echo: hello there friend");
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types).toContain("response.output_text.delta");
    expect(types.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
  });

  it("calls function tools (with call_id) and answers their output", async () => {
    const first = await client.responses.create({ model: "gpt-4.1", input: "get_weather in Paris", tools: [weather] });
    const call = first.output.find((o) => o.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", name: "get_weather" });
    if (call?.type !== "function_call") throw new Error("no call");
    const second = await client.responses.create({
      model: "gpt-4.1",
      tools: [weather],
      input: [
        { role: "user", content: "get_weather in Paris" },
        call,
        { type: "function_call_output", call_id: call.call_id, output: "sunny" },
      ],
    });
    expect(second.output_text).toBe("Tool said: sunny");
    const streamed = client.responses.stream({ model: "gpt-4.1", input: "get_weather in Paris", tools: [weather] });
    const done: string[] = [];
    streamed.on("response.function_call_arguments.done", (e) => done.push(e.arguments));
    const final = await streamed.finalResponse();
    expect(done).toHaveLength(1);
    expect(final.output[0]).toMatchObject({ type: "function_call", name: "get_weather", arguments: done[0] });
  });

  it("answers errors in OpenAI's envelope", async () => {
    mock.behavior.fallback = { status: 400, message: "bad input" };
    const err = await client.responses.create({ model: "gpt-4.1", input: "x" }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toContain("bad input");
  });
});
