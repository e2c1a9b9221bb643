import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { client, gemini, type Json, proxy, sent, time, useGeminiWorld, weather } from "./gemini-openai-sdk-setup.js";

// Setup, upstreams and helpers: gemini-openai-sdk-setup.ts.
useGeminiWorld();

describe("openai SDK -> Gemini-served model", () => {
  it("chats: model in the path, key in x-goog-api-key, system lifted; the answer is an OpenAI chat.completion", async () => {
    const { data: r, response } = await client.chat.completions
      .create({
        model: "gemini-test",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "hello" },
        ],
        max_tokens: 100,
        temperature: 0.3,
      })
      .withResponse();
    expect(r.object).toBe("chat.completion");
    expect(r.model).toBe("gemini-2.5-flash");
    expect(r.choices[0]?.message).toMatchObject({ role: "assistant", content: "Echo: hello" });
    expect(r.choices[0]?.finish_reason).toBe("stop");
    expect(r.usage?.total_tokens).toBe((r.usage?.prompt_tokens ?? 0) + (r.usage?.completion_tokens ?? 0));
    expect(response.headers.get("x-router-provider")).toBe("gemini0");
    const req = sent();
    expect(req.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(req.model).toBe("gemini-2.5-flash");
    expect(req.headers["x-goog-api-key"]).toBe("AIza-up-0");
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "hello" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { temperature: 0.3, maxOutputTokens: 100 },
    });
  });

  it("streams chunks that stream.finalChatCompletion() assembles, with usage when asked", async () => {
    const stream = client.chat.completions.stream({
      model: "gemini-test",
      messages: [{ role: "user", content: "stream me please" }],
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    stream.on("content", (d) => deltas.push(d));
    const final = await stream.finalChatCompletion();
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.choices[0]?.message.content).toBe("Echo: stream me please");
    expect(final.choices[0]?.finish_reason).toBe("stop");
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
    expect(final.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(sent().path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
  });

  it("streams without a usage chunk when none was asked for, ending with [DONE]", async () => {
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gemini-test", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    const text = await res.text();
    expect(text).not.toContain('"usage"');
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("round-trips parallel tool calls: streamed with indexes 0 and 1, results sent back as functionResponse parts", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "call get_weather and get_time" }];
    const stream = client.chat.completions.stream({ model: "gemini-test", messages, tools: [weather, time] });
    const indexes: number[] = [];
    stream.on("chunk", (c) => {
      for (const t of c.choices[0]?.delta.tool_calls ?? []) indexes.push(t.index);
    });
    const first = await stream.finalChatCompletion();
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(indexes).toEqual([0, 1]);
    const calls = (first.choices[0]?.message.tool_calls ?? []).flatMap((c) => (c.type === "function" ? [c] : []));
    expect(calls.map((c) => c.function.name)).toEqual(["get_weather", "get_time"]);
    expect(JSON.parse(calls[1]?.function.arguments ?? "")).toEqual({ query: "call get_weather and get_time", n: 1 });
    expect(sent().body.tools).toEqual([
      {
        functionDeclarations: [
          { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
          { name: "get_time" },
        ],
      },
    ]);

    messages.push({ role: "assistant", content: null, tool_calls: first.choices[0]?.message.tool_calls ?? [] });
    messages.push({ role: "tool", tool_call_id: calls[0]?.id ?? "", content: '{"temp":21}' });
    messages.push({ role: "tool", tool_call_id: calls[1]?.id ?? "", content: "noon" });
    const second = await client.chat.completions.create({ model: "gemini-test", messages, tools: [weather, time] });
    expect(second.choices[0]?.message.content).toBe('Tool said: {"temp":21} {"content":"noon"}');
    const contents = sent().body.contents as Json[];
    expect(contents.map((c) => c.role)).toEqual(["user", "model", "user"]);
    expect(contents[2]?.parts.map((p: Json) => p.functionResponse.name)).toEqual(["get_weather", "get_time"]);
  });

  it("forces a named tool with ANY + allowedFunctionNames; the call comes back as a JSON string", async () => {
    const r = await client.chat.completions.create({
      model: "gemini-test",
      messages: [{ role: "user", content: "anything" }],
      tools: [weather, time],
      tool_choice: { type: "function", function: { name: "get_time" } },
    });
    const call = r.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.name).toBe("get_time");
    expect(call?.id).toMatch(/^call_/);
    expect(r.choices[0]?.message.content).toBeNull();
    expect(sent().body.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_time"] } });
  });

  it("Gemini 3: the thought signature rides on the tool call and goes back, so the next turn is accepted", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "get_weather please" }];
    const first = await client.chat.completions.create({ model: "gemini-3-test", messages, tools: [weather] });
    const msg = first.choices[0]?.message as OpenAI.ChatCompletionMessage;
    const signature = (msg.tool_calls?.[0] as unknown as Json | undefined)?.extra_content?.google?.thought_signature;
    expect(signature).toMatch(/^sig_/);
    messages.push(msg, { role: "tool", tool_call_id: msg.tool_calls?.[0]?.id ?? "", content: "sunny" });
    const second = await client.chat.completions.create({ model: "gemini-3-test", messages, tools: [weather] });
    expect(second.choices[0]?.message.content).toBe('Tool said: {"content":"sunny"}');
    expect((sent().body.contents as Json[])[1]?.parts[0].thoughtSignature).toBe(signature);

    // A history from elsewhere (no signature) still passes: the documented placeholder is sent.
    const foreign = messages.map((m) =>
      m.role === "assistant" ? { ...m, tool_calls: m.tool_calls?.map(({ id, type, function: f }) => ({ id, type, function: f })) } : m,
    );
    const third = await client.chat.completions.create({
      model: "gemini-3-test",
      messages: foreign as OpenAI.ChatCompletionMessageParam[],
      tools: [weather],
    });
    expect(third.choices[0]?.finish_reason).toBe("stop");
    expect((sent().body.contents as Json[])[1]?.parts[0].thoughtSignature).toBe("skip_thought_signature_validator");
  });

  it("maps reasoning_effort to thinkingConfig, thoughts back to reasoning_content (JSON and stream)", async () => {
    const params = { model: "gemini-test", messages: [{ role: "user" as const, content: "think" }], reasoning_effort: "low" as const };
    const r = await client.chat.completions.create(params);
    expect((r.choices[0]?.message as unknown as Json | undefined)?.reasoning_content).toBe("Let me think about that.");
    expect(r.choices[0]?.message.content).toBe("Echo: think");
    expect(r.usage?.completion_tokens_details?.reasoning_tokens).toBe(6);
    expect(sent().body.generationConfig).toEqual({ thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } });
    const stream = await client.chat.completions.create({ ...params, stream: true });
    let reasoning = "";
    for await (const c of stream) reasoning += (c.choices[0]?.delta as Json | undefined)?.reasoning_content ?? "";
    expect(reasoning).toBe("Let me think about that.");
  });

  it("sends images as inlineData (data URL) and fileData (URL)", async () => {
    await client.chat.completions.create({
      model: "gemini-test",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is in these?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
    });
    expect((sent().body.contents as Json[])[0]?.parts.slice(1)).toEqual([
      { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
      { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/cat.jpg" } },
    ]);
  });

  it("json_schema structured output -> responseJsonSchema; the answer parses", async () => {
    const schema = { type: "object", properties: { echo: { type: "string" } }, required: ["echo"], additionalProperties: false };
    const r = await client.chat.completions.create({
      model: "gemini-test",
      messages: [{ role: "user", content: "json" }],
      response_format: { type: "json_schema", json_schema: { name: "e", schema, strict: true } },
    });
    expect(JSON.parse(r.choices[0]?.message.content ?? "")).toEqual({ echo: "json" });
    expect(sent().body.generationConfig).toEqual({ responseMimeType: "application/json", responseJsonSchema: schema });
  });

  it("names fields Gemini cannot carry in x-router-warnings; a strict model answers 400 instead", async () => {
    const body = { messages: [{ role: "user" as const, content: "hi" }], logit_bias: { "50256": -100 }, user: "u-1" };
    const { response } = await client.chat.completions.create({ model: "gemini-test", ...body }).withResponse();
    expect(response.headers.get("x-router-warnings")).toBe("dropped:logit_bias, dropped:user");
    const before = gemini.requests.length;
    const err = await client.chat.completions.create({ model: "gemini-strict", ...body }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain("logit_bias");
    expect(gemini.requests.length).toBe(before);
  });

  it("answers a blocked prompt as finish_reason content_filter", async () => {
    const r = await client.chat.completions.create({ model: "gemini-test", messages: [{ role: "user", content: "[blocked] x" }] });
    expect(r.choices[0]?.finish_reason).toBe("content_filter");
    expect(r.choices[0]?.message.content).toBeNull();
  });
});
