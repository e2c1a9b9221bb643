import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { client, lastUpstream, useResponsesWorld, weather } from "./responses-openai-sdk-setup.js";

// Setup, upstreams and helpers: responses-openai-sdk-setup.ts.
useResponsesWorld();

describe.each([
  ["an OpenAI-compatible chat upstream", "chat-model"],
  ["Anthropic", "claude-model"],
  ["Gemini", "gemini-model"],
  ["Volcengine Ark", "doubao-model"],
])("Responses API served by %s", (_name, model) => {
  it("responses.create: text output, usage, ids, the request's settings echoed", async () => {
    const r = await client.responses.create({ model, input: "hello", instructions: "Be brief.", max_output_tokens: 100 });
    expect(r.object).toBe("response");
    expect(r.id).toMatch(/^resp_/);
    expect(r.status).toBe("completed");
    expect(r.model).toBe(model);
    expect(r.output_text).toContain("hello");
    expect(r.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    expect(r.usage?.input_tokens).toBeGreaterThan(0);
    expect(r.usage?.total_tokens).toBe((r.usage?.input_tokens ?? 0) + (r.usage?.output_tokens ?? 0));
    expect(r.instructions).toBe("Be brief.");
    expect(r.max_output_tokens).toBe(100);
  });

  it("responses.stream: the full event sequence with sequence numbers, assembled by the SDK", async () => {
    const stream = client.responses.stream({ model, input: "stream me please" });
    const types: string[] = [];
    const seqs: number[] = [];
    let text = "";
    for await (const ev of stream) {
      types.push(ev.type);
      seqs.push(ev.sequence_number);
      if (ev.type === "response.output_text.delta") text += ev.delta;
    }
    const final = await stream.finalResponse();
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(final.output_text).toBe(text);
    expect(text).toContain("stream me please");
    expect(final.usage?.output_tokens).toBeGreaterThan(0);
  });

  it("a function-tool round trip: call with call_id, then the output answered", async () => {
    const first = await client.responses.create({ model, input: "get_weather in Paris", tools: [weather] });
    const call = first.output.find((o) => o.type === "function_call");
    if (call?.type !== "function_call") throw new Error("no function call");
    expect(call.name).toBe("get_weather");
    expect(call.call_id).toBeTruthy();
    expect(JSON.parse(call.arguments)).toBeTypeOf("object");
    const second = await client.responses.create({
      model,
      tools: [weather],
      input: [
        { role: "user", content: "get_weather in Paris" },
        call,
        { type: "function_call_output", call_id: call.call_id, output: "sunny, 21C" },
      ],
    });
    expect(second.output_text).toContain("sunny, 21C");
  });

  it("streams function calls: arguments deltas and done, then the item", async () => {
    const stream = client.responses.stream({ model, input: "get_weather in Rome", tools: [weather] });
    const args: string[] = [];
    stream.on("response.function_call_arguments.done", (e) => args.push(e.arguments));
    const final = await stream.finalResponse();
    const call = final.output.find((o) => o.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", name: "get_weather" });
    expect(args).toEqual([(call as { arguments: string }).arguments]);
  });

  it("previous_response_id continues the conversation; GET, input_items and DELETE see the stored response", async () => {
    const first = await client.responses.create({ model, input: "my name is Ada" });
    const second = await client.responses.create({ model, previous_response_id: first.id, input: "what is my name?" });
    expect(second.previous_response_id).toBe(first.id);
    const sent = lastUpstream(model);
    expect(sent).toContain("my name is Ada");
    expect(sent).toContain(first.output_text);
    const got = await client.responses.retrieve(second.id);
    expect(got.output_text).toBe(second.output_text);
    const items = await client.responses.inputItems.list(second.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({ type: "message", role: "user" });
    await client.responses.delete(second.id);
    const gone = await client.responses.retrieve(second.id).catch((e) => e);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
