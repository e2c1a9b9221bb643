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

  it("withStreamUsage refuses bodies that are not objects or already name stream_options", () => {
    expect(withStreamUsage(Buffer.from("[1]"))).toBeUndefined();
    expect(withStreamUsage(raw({ stream_options: null }))).toBeUndefined();
  });
});
