import { describe, expect, it } from "vitest";
import { CLIENT_REQUEST_ID_MAX, cleanClientRequestId, UsageBatch } from "./usage.js";

const record = (over: Record<string, unknown> = {}) => ({
  id: "0b8f6c1e-6a1d-4c55-9d0e-2f1b7e3c9a10",
  time: "2026-12-07T10:00:00.000Z",
  replica: "r1",
  ingress: "openai-chat",
  endpoint: "chat.completions",
  model: "m",
  provider: "p",
  upstream_model: "m",
  key_id: "1",
  key_name: "k",
  stream: false,
  status: 200,
  error_code: null,
  attempts: [],
  prompt_tokens: 1,
  completion_tokens: 1,
  cached_tokens: 0,
  reasoning_tokens: 0,
  usage_estimated: false,
  cost_usd: 0.1,
  latency_ms: 1,
  ttft_ms: 1,
  tokens_per_s: null,
  request_bytes: 1,
  response_bytes: 1,
  ...over,
});

describe("client request ids", () => {
  it("are bounded and lose control characters and lone surrogates", () => {
    expect(cleanClientRequestId("req-42")).toBe("req-42");
    expect(cleanClientRequestId("a\u0000b\u0007c\u007f\u0085d\ud800e\udc00f")).toBe("abcdef");
    expect(cleanClientRequestId("pair \ud83d\ude00 kept")).toBe("pair \ud83d\ude00 kept");
    expect(cleanClientRequestId("x".repeat(10_000))).toHaveLength(CLIENT_REQUEST_ID_MAX);
    expect(cleanClientRequestId("\u0000\t ")).toBeNull();
    expect(cleanClientRequestId("")).toBeNull();
  });

  it("a record from an older proxy (no field) reads; an unclean one reads as null, the record kept", () => {
    const old = UsageBatch.parse({ replica: "r1", records: [record()] });
    expect(old.records[0]!.client_request_id).toBeUndefined();
    const ok = UsageBatch.parse({ replica: "r1", records: [record({ client_request_id: "abc" })] });
    expect(ok.records[0]!.client_request_id).toBe("abc");
    for (const bad of ["a\u0000b", "\ud800", "y".repeat(129), 5, {}]) {
      const r = UsageBatch.safeParse({ replica: "r1", records: [record({ client_request_id: bad })] });
      expect(r.success, JSON.stringify(bad)).toBe(true);
      expect(r.data!.records[0]!.client_request_id).toBeNull();
    }
  });
});
