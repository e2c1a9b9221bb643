import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
// The openai SDK 7.x (aliased: the repo's other tests stay on 6.x, whose multipart field order they assert).
import OpenAI from "openai-v7";
import { ResponsesWebSocketSession } from "openai-v7/lib/responses/responses-websocket-session";
import { ResponsesWS } from "openai-v7/resources/responses/ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

// The official SDK's Responses WebSocket client (ResponsesWS) through the router, translated for a
// chat-only upstream and for Anthropic.
const KEY = "sk-ws-sdk-0123456789";
let chat: MockUpstream;
let claude: MockUpstream;
let proxy: TestProxy;

beforeAll(async () => {
  [chat, claude] = await Promise.all([startMockUpstream(), startMockUpstream()]);
  proxy = await startTestProxy({
    providers: [
      { name: "compat", type: "openai-compatible", base_url: chat.baseUrl, api_key: "sk-compat", timeout_ms: 2000 },
      { name: "claude", type: "anthropic", base_url: claude.url, api_key: "sk-ant", timeout_ms: 2000 },
    ],
    models: [
      { name: "chat-model", providers: [{ provider: "compat", model: "qwen-upstream" }] },
      { name: "claude-model", providers: [{ provider: "claude", model: "claude-upstream" }] },
    ],
    keys: [{ name: "sdk", key: KEY }],
  });
});
afterAll(async () => {
  await proxy.close();
  await Promise.all([chat.close(), claude.close()]);
});

type ServerEvent = { type: string; sequence_number?: number; response?: Record<string, any>; delta?: string };

/** Sends one response.create through the SDK client and collects the turn's events up to its end. */
function turn(rws: ResponsesWS, body: Record<string, unknown>): Promise<ServerEvent[]> {
  return new Promise((resolve, reject) => {
    const got: ServerEvent[] = [];
    const onEvent = (e: ServerEvent) => {
      got.push(e);
      if (e.type === "response.completed" || e.type === "response.failed") {
        rws.off("event", onEvent as never);
        resolve(got);
      }
    };
    rws.on("event", onEvent as never);
    rws.on("error", (err) => reject(err));
    rws.send({ type: "response.create", ...body } as never);
  });
}

const weather = {
  type: "function",
  name: "get_weather",
  description: "Weather",
  parameters: { type: "object", properties: {} },
  strict: false,
};

describe.each([
  ["a chat-only upstream", "chat-model", () => chat],
  ["Anthropic", "claude-model", () => claude],
] as const)("openai SDK ResponsesWS against %s", (_name, model, upstream) => {
  it("three turns on one socket: plain, previous_response_id with store:false, a function-call round trip", async () => {
    const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const rws = new ResponsesWS(client);
    const t1 = await turn(rws, { model, input: "hello from the sdk", store: false });
    expect(t1.map((e) => e.sequence_number)).toEqual(t1.map((_, i) => i));
    expect(
      t1
        .filter((e) => e.type === "response.output_text.delta")
        .map((e) => e.delta)
        .join(""),
    ).toContain("hello from the sdk");
    const id1 = t1.at(-1)?.response?.id as string;

    const t2 = await turn(rws, { model, input: "second turn", previous_response_id: id1, store: false });
    expect(t2.at(-1)?.type).toBe("response.completed");
    expect(JSON.stringify(upstream().requests.at(-1)?.body)).toContain("hello from the sdk");

    const t3 = await turn(rws, {
      model,
      input: "get_weather in Oslo",
      tools: [weather],
      previous_response_id: t2.at(-1)?.response?.id,
      store: false,
    });
    const call = ((t3.at(-1)?.response?.output ?? []) as Record<string, any>[]).find((o) => o.type === "function_call");
    expect(call?.name).toBe("get_weather");
    const t4 = await turn(rws, {
      model,
      tools: [weather],
      store: false,
      previous_response_id: t3.at(-1)?.response?.id,
      input: [{ type: "function_call_output", call_id: call?.call_id, output: "cloudy, 4C" }],
    });
    expect(t4.at(-1)?.type).toBe("response.completed");
    expect(JSON.stringify(upstream().requests.at(-1)?.body)).toContain("cloudy, 4C");
    rws.close();
  });
});

describe("openai SDK ResponsesWebSocketSession lanes (stream_id) through the router", () => {
  it("two conversations side by side on one socket, each continued on its lane; a third lane forks the first", async () => {
    const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const rws = new ResponsesWS(client);
    await new Promise((resolve) => rws.socket.once("open", resolve));
    const session = new ResponsesWebSocketSession(rws, { maxLanes: 4, maxBufferedEvents: 1000, maxBufferedBytes: 1 << 20 });
    const [a, b] = [session.lane("conv-a"), session.lane("conv-b")];
    a.create({ model: "chat-model", input: "alpha one", store: false });
    b.create({ model: "claude-model", input: "beta one", store: false });
    const [ra, rb] = await Promise.all([a.finalResponse(), b.finalResponse()]);
    expect(ra.output_text).toContain("alpha one");
    expect(rb.output_text).toContain("beta one");
    a.create({ model: "chat-model", input: "alpha two", store: false, previous_response_id: ra.id });
    b.create({ model: "claude-model", input: "beta two", store: false, previous_response_id: rb.id });
    await Promise.all([a.finalResponse(), b.finalResponse()]);
    // Each lane's second turn went out with its own conversation, not the other's.
    const chatBody = JSON.stringify(chat.requests.at(-1)?.body);
    expect(chatBody).toContain("alpha one");
    expect(chatBody).not.toContain("beta");
    const claudeBody = JSON.stringify(claude.requests.at(-1)?.body);
    expect(claudeBody).toContain("beta one");
    expect(claudeBody).not.toContain("alpha");
    const fork = session.lane("fork");
    fork.create({ model: "chat-model", input: "forked", store: false, previous_response_id: ra.id });
    expect((await fork.finalResponse()).status).toBe("completed");
    expect(JSON.stringify(chat.requests.at(-1)?.body)).toContain("alpha one");
    session.close();
    rws.close();
  });
});
