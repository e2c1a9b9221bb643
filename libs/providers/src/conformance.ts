import type { ChatCompletionRequest, ProviderType } from "@ai-router/contracts";
import type { MockUpstream } from "@ai-router/testing";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import type { ProviderAdapter, RuntimeProvider, TargetContext, UpstreamRequest } from "./adapter.js";
import { parseSseEvent, SseSplitter } from "./sse.js";

/** How the shared suite reaches one adapter's wire format on the mock upstream. */
export interface ConformanceSubject {
  adapter: ProviderAdapter;
  /** The provider's base URL on the mock (e.g. `${mock.url}/v1` for OpenAI-style, `${mock.url}` for Anthropic). */
  baseUrl(mock: MockUpstream): string;
  /** Checks the credential the upstream received. */
  authOf(headers: Record<string, string | string[] | undefined>): string | undefined;
}

const KEY = "sk-conformance-key-1234";

function target(type: ProviderType, baseUrl: string): TargetContext {
  const u = new URL(baseUrl);
  const provider: RuntimeProvider = {
    name: "p",
    type,
    baseUrl,
    apiKeys: [KEY],
    timeoutMs: 5000,
    connectTimeoutMs: 2000,
    headers: {},
    streamUsage: true,
    maxConnections: 4,
    origin: u.origin,
    basePath: u.pathname.replace(/\/+$/, ""),
  };
  return { provider, apiKey: KEY, upstreamModel: "upstream-model-1", params: {}, clientHeaders: {} };
}

async function send(t: TargetContext, r: UpstreamRequest) {
  const res = await request(t.provider.origin + (r.rootPath === true ? "" : t.provider.basePath) + r.path, {
    method: r.method,
    headers: r.headers,
    body: r.body ?? null,
  });
  return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
}

const ask = (content: string, extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: "public-name",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content },
  ],
  max_tokens: 200,
  ...extra,
});

const tools: ChatCompletionRequest["tools"] = [
  { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
  { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } },
];

/** Feeds a body through a stream translator in small pieces; returns the client's events. */
function translate(adapter: ProviderAdapter, t: TargetContext, body: Buffer, stripUsage: boolean) {
  const tr = adapter.createChatStream(t, { stripUsage, requestedModel: "public-name" });
  let out = "";
  for (let i = 0; i < body.length; i += 37) out += tr.push(body.subarray(i, i + 37)).toString();
  out += tr.end();
  const split = new SseSplitter();
  const events = [...split.push(out), ...split.flush()].map((e) => parseSseEvent(e).data);
  return { events, usage: tr.usage, raw: out };
}

interface Chunk {
  object: string;
  choices: {
    index: number;
    delta: { content?: string | null; tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[] };
    finish_reason: string | null;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

/**
 * The behaviour every HTTP provider adapter must show, whatever its wire format: OpenAI chat in, the
 * same OpenAI answer out (JSON and stream), tools, usage never lost, errors classified for failover.
 */
export function describeAdapterConformance(name: string, subject: ConformanceSubject, getMock: () => MockUpstream): void {
  describe(`provider conformance: ${name}`, () => {
    const t = () => target(subject.adapter.type, subject.baseUrl(getMock()));

    it("sends the upstream model id and the provider's key, and answers OpenAI chat.completion", async () => {
      const mock = getMock();
      mock.requests.length = 0;
      const built = subject.adapter.buildChatRequest(ask("hello there"), t(), { stream: false, clientWantsUsage: false });
      expect(built.dropped).toEqual([]);
      const res = await send(t(), built.request);
      expect(res.status).toBe(200);
      const rec = mock.requests[0];
      // The model is in the body (OpenAI, Anthropic) or in the path (Gemini: the mock records it).
      expect(rec?.model ?? (rec?.body as { model?: string } | undefined)?.model).toBe("upstream-model-1");
      expect(subject.authOf(rec?.headers ?? {})).toBe(KEY);
      const parsed = subject.adapter.parseChatResponse(res.body, t());
      const json = JSON.parse(parsed.body.toString());
      expect(json.object).toBe("chat.completion");
      expect(json.choices[0].message.role).toBe("assistant");
      expect(json.choices[0].message.content).toContain("hello there");
      expect(json.choices[0].finish_reason).toBe("stop");
      expect(parsed.usage?.prompt_tokens).toBeGreaterThan(0);
      expect(parsed.usage?.total_tokens).toBe((parsed.usage?.prompt_tokens ?? 0) + (parsed.usage?.completion_tokens ?? 0));
      expect(json.usage.total_tokens).toBe(parsed.usage?.total_tokens);
    });

    it("streams the same answer as OpenAI chunks, usage included when asked, [DONE] last", async () => {
      const json = await send(
        t(),
        subject.adapter.buildChatRequest(ask("stream it"), t(), { stream: false, clientWantsUsage: false }).request,
      );
      const expected = JSON.parse(subject.adapter.parseChatResponse(json.body, t()).body.toString()).choices[0].message.content;
      const built = subject.adapter.buildChatRequest(ask("stream it", { stream: true, stream_options: { include_usage: true } }), t(), {
        stream: true,
        clientWantsUsage: true,
      });
      const res = await send(t(), built.request);
      expect(res.status).toBe(200);
      const { events, usage } = translate(subject.adapter, t(), res.body, built.stripUsage);
      expect(events[events.length - 1]).toBe("[DONE]");
      const chunks = events.filter((e) => e !== "[DONE]").map((e) => JSON.parse(e) as Chunk);
      expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(expected);
      expect(chunks.some((c) => c.choices[0]?.finish_reason === "stop")).toBe(true);
      const usageChunk = chunks.find((c) => c.usage);
      expect(usageChunk?.usage?.completion_tokens).toBeGreaterThan(0);
      expect(usage?.total_tokens).toBe(usageChunk?.usage?.total_tokens);
    });

    it("asks the upstream for an event stream when streaming and for JSON otherwise", () => {
      const accept = (stream: boolean) =>
        subject.adapter.buildChatRequest(ask("x", stream ? { stream: true } : {}), t(), { stream, clientWantsUsage: false }).request.headers
          .accept;
      expect(accept(true)).toBe("text/event-stream");
      expect(accept(false)).toBe("application/json");
      for (const native of Object.values(subject.adapter.native ?? {})) {
        expect(native.build({ model: "public-name", stream: true }, t(), { stream: true }).headers.accept).toBe("text/event-stream");
        expect(native.build({ model: "public-name" }, t(), { stream: false }).headers.accept).toBe("application/json");
      }
    });

    it("keeps usage for the record but out of the stream when the client did not ask", async () => {
      const built = subject.adapter.buildChatRequest(ask("quiet", { stream: true }), t(), { stream: true, clientWantsUsage: false });
      const { events, usage } = translate(subject.adapter, t(), (await send(t(), built.request)).body, built.stripUsage);
      const chunks = events.filter((e) => e !== "[DONE]").map((e) => JSON.parse(e) as Chunk);
      expect(chunks.some((c) => c.usage)).toBe(false);
      expect(usage?.completion_tokens).toBeGreaterThan(0);
    });

    it("carries tools both ways, parallel calls with their own indexes in a stream", async () => {
      const json = await send(
        t(),
        subject.adapter.buildChatRequest(ask("get_weather and get_time", { tools }), t(), { stream: false, clientWantsUsage: false })
          .request,
      );
      const msg = JSON.parse(subject.adapter.parseChatResponse(json.body, t()).body.toString()).choices[0];
      expect(msg.finish_reason).toBe("tool_calls");
      expect(msg.message.tool_calls.map((c: { function: { name: string } }) => c.function.name)).toEqual(["get_weather", "get_time"]);
      for (const c of msg.message.tool_calls) expect(() => JSON.parse(c.function.arguments)).not.toThrow();
      const built = subject.adapter.buildChatRequest(ask("get_weather and get_time", { tools, stream: true }), t(), {
        stream: true,
        clientWantsUsage: false,
      });
      const { events } = translate(subject.adapter, t(), (await send(t(), built.request)).body, built.stripUsage);
      const calls = new Map<number, { name: string; args: string }>();
      for (const e of events.filter((x) => x !== "[DONE]")) {
        for (const tc of (JSON.parse(e) as Chunk).choices[0]?.delta.tool_calls ?? []) {
          const cur = calls.get(tc.index) ?? { name: "", args: "" };
          calls.set(tc.index, { name: cur.name + (tc.function?.name ?? ""), args: cur.args + (tc.function?.arguments ?? "") });
        }
      }
      expect([...calls.keys()]).toEqual([0, 1]);
      expect([...calls.values()].map((c) => c.name)).toEqual(["get_weather", "get_time"]);
      for (const c of calls.values()) expect(() => JSON.parse(c.args)).not.toThrow();
    });

    it.each([
      [429, true],
      [500, true],
      [503, true],
      [400, false],
      [401, false],
      [404, false],
    ])("classifies HTTP %i (retryable: %s) and keeps the provider's message", async (status, retryable) => {
      getMock().behavior.next({ status, message: `conformance says ${status}` });
      const res = await send(t(), subject.adapter.buildChatRequest(ask("x"), t(), { stream: false, clientWantsUsage: false }).request);
      expect(res.status).toBe(status);
      const err = subject.adapter.parseError(res.status, res.body);
      expect(err.retryable).toBe(retryable);
      expect(err.message).toContain(`conformance says ${status}`);
      expect(typeof err.type).toBe("string");
    });

    it.runIf(subject.adapter.embeddings !== undefined)(
      "embeddings: answers an OpenAI list, one vector per input in order, usage counted",
      async () => {
        const ep = subject.adapter.embeddings;
        if (!ep) return;
        const body = { model: "public-name", input: ["first text", "second, longer text"] };
        const mock = getMock();
        mock.requests.length = 0;
        const res = await send(t(), ep.build(body, t()));
        expect(res.status).toBe(200);
        const rec = mock.requests[0];
        expect(rec?.model ?? (rec?.body as { model?: string } | undefined)?.model).toBe("upstream-model-1");
        expect(subject.authOf(rec?.headers ?? {})).toBe(KEY);
        // Providers that speak OpenAI's format hand the bytes back as they are; others translate them.
        const parsed = ep.parse(res.body, body, t());
        const json = JSON.parse(parsed.body.toString());
        expect(json.object).toBe("list");
        expect(json.data.map((d: { index: number }) => d.index)).toEqual([0, 1]);
        for (const d of json.data) {
          expect(d.object).toBe("embedding");
          expect(d.embedding.length).toBeGreaterThan(0);
          expect(d.embedding.every((v: unknown) => typeof v === "number")).toBe(true);
        }
        expect(json.data[0].embedding).not.toEqual(json.data[1].embedding);
        expect(json.usage.prompt_tokens).toBeGreaterThan(0);
        expect(parsed.usage?.prompt_tokens).toBe(json.usage.prompt_tokens);
      },
    );

    it("survives an error body that is not JSON", () => {
      const err = subject.adapter.parseError(502, Buffer.from("<html>Bad Gateway</html>"));
      expect(err.retryable).toBe(true);
      expect(err.status).toBe(502);
    });
  });
}
