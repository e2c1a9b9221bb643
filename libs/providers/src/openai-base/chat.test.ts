import type { ChatCompletionRequest } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import type { RuntimeProvider, TargetContext } from "../adapter.js";
import { buildOpenAIChatRequest, withStreamUsage } from "./chat.js";

const provider = {
  name: "p",
  type: "openai",
  baseUrl: "http://x/v1",
  apiKeys: ["k"],
  timeoutMs: 1,
  connectTimeoutMs: 1,
  headers: {},
  streamUsage: true,
  maxConnections: 1,
  origin: "http://x",
  basePath: "/v1",
} as RuntimeProvider;
const target = (over: Partial<TargetContext> = {}): TargetContext => ({
  provider,
  apiKey: "k",
  upstreamModel: "gpt-4o",
  params: {},
  clientHeaders: {},
  ...over,
});
const req = (extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: "gpt-4o",
  messages: [{ role: "user", content: "hi" }],
  ...extra,
});
const raw = (r: object) => Buffer.from(JSON.stringify(r));
const sent = (b: string | Buffer | undefined) => JSON.parse(String(b));

describe("buildOpenAIChatRequest", () => {
  it("forwards the client's bytes untouched when nothing changes", () => {
    const body = raw(req());
    const built = buildOpenAIChatRequest(req(), target(), { stream: false, clientWantsUsage: false }, body);
    expect(built.request.body).toBe(body);
    expect(built.request.headers.authorization).toBe("Bearer k");
  });

  it("asks for stream usage on the client's behalf without re-serialising, and says to strip it", () => {
    const r = req({ stream: true });
    const built = buildOpenAIChatRequest(r, target(), { stream: true, clientWantsUsage: false }, Buffer.from(` \n${JSON.stringify(r)}`));
    expect(built.stripUsage).toBe(true);
    expect(sent(built.request.body)).toEqual({ ...r, stream_options: { include_usage: true } });
  });

  it("keeps the client's other stream_options when it adds include_usage", () => {
    const r = req({ stream: true, stream_options: { include_obfuscation: false } as never });
    const built = buildOpenAIChatRequest(r, target(), { stream: true, clientWantsUsage: false }, raw(r));
    expect(sent(built.request.body).stream_options).toEqual({ include_obfuscation: false, include_usage: true });
  });

  it("rewrites the model and merges defaults under the client's values", () => {
    const r = req({ temperature: 1 });
    const built = buildOpenAIChatRequest(
      r,
      target({ upstreamModel: "gpt-4o-2024-08-06", params: { temperature: 0.2, top_p: 0.5 } }),
      { stream: false, clientWantsUsage: false },
      raw(r),
    );
    expect(sent(built.request.body)).toMatchObject({ model: "gpt-4o-2024-08-06", temperature: 1, top_p: 0.5 });
  });

  it("leaves usage alone when the provider is told not to ask for it", () => {
    const r = req({ stream: true });
    const built = buildOpenAIChatRequest(
      r,
      target({ provider: { ...provider, streamUsage: false } }),
      { stream: true, clientWantsUsage: false },
      raw(r),
    );
    expect(built.stripUsage).toBe(false);
    expect(sent(built.request.body).stream_options).toBeUndefined();
  });

  it("withStreamUsage refuses bodies that are not objects", () => {
    expect(withStreamUsage(Buffer.from("[1]"))).toBeUndefined();
  });

  it("a stream_options key the client spelt with escapes (or null) cannot switch the usage chunk off", () => {
    // `"stre\u0061m_options"` is `stream_options` once parsed: a text search misses it, and spliced
    // after our own key it would win (the last duplicate key wins) and the upstream would send no usage.
    for (const text of [
      '{"model":"gpt-4o","stream":true,"stre\\u0061m_options":{"include_usage":false},"messages":[{"role":"user","content":"hi"}]}',
      '{"model":"gpt-4o","stream":true,"stream_options":null,"messages":[{"role":"user","content":"hi"}]}',
      '{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"stream_options":{"include_usage":false},"messages":[]}',
    ]) {
      const parsed = JSON.parse(text) as ChatCompletionRequest;
      const built = buildOpenAIChatRequest(parsed, target(), { stream: true, clientWantsUsage: false }, Buffer.from(text));
      expect(built.stripUsage).toBe(true);
      const body = String(built.request.body);
      expect(JSON.parse(body).stream_options).toMatchObject({ include_usage: true });
      // Exactly one stream_options key reaches the upstream, whatever it does with duplicates.
      expect(body.match(/stream_options|\\u0061m_options/g)).toEqual(["stream_options"]);
    }
  });
});
