import type { ResponsesRequest } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import { OpenAIStreamTranslator } from "../openai-base/stream.js";
import { RESPONSE_ERROR_CODES, responseError } from "./error-code.js";
import { type ResponseContext, toResponsesUsage } from "./from-chat.js";
import { ToolNames } from "./names.js";
import { ResponsesStreamEncoder } from "./stream.js";

const ctx: ResponseContext = {
  id: "resp_1",
  createdAt: 1,
  request: { model: "m", input: "x" } as ResponsesRequest,
  names: new ToolNames(),
  providerType: "openai-compatible",
};

describe("a Response's error code", () => {
  it.each([
    ["upstream_unreachable", "server_error"],
    ["upstream_timeout", "server_error"],
    ["internal_error", "server_error"],
    ["rate_limited", "rate_limit_exceeded"],
    ["insufficient_quota", "rate_limit_exceeded"],
  ])("the router's %s is published as %s, ours kept in router_code", (ours, published) => {
    expect(responseError("m", ours)).toEqual({ code: published, message: "m", router_code: ours });
  });

  it("a published code stays as it is, and no code is server_error", () => {
    expect(responseError("bad", "invalid_prompt")).toEqual({ code: "invalid_prompt", message: "bad" });
    expect(responseError("m", null)).toEqual({ code: "server_error", message: "m" });
  });

  it("a stream cut mid-way ends in response.failed with a published code", () => {
    const enc = new ResponsesStreamEncoder(new OpenAIStreamTranslator(false), ctx);
    let out = enc.push(
      Buffer.from(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "par" }, finish_reason: null }] })}\n\n`),
    );
    out += enc.fail("Provider up0 could not be reached.", "upstream_unreachable");
    const events = out
      .split("\n\n")
      .filter(Boolean)
      .map(
        (e) => JSON.parse(e.split("\n")[1]?.slice(6) ?? "{}") as { type: string; code?: string; response?: { error: { code: string } } },
      );
    expect(events.at(-2)).toMatchObject({ type: "error", code: "upstream_unreachable" });
    const failed = events.at(-1);
    expect(failed?.type).toBe("response.failed");
    expect(RESPONSE_ERROR_CODES.has(failed?.response?.error.code ?? "")).toBe(true);
    expect(failed?.response?.error).toEqual({
      code: "server_error",
      message: "Provider up0 could not be reached.",
      router_code: "upstream_unreachable",
    });
  });
});

describe("a translated Response's usage", () => {
  it("carries cache_write_tokens (0 when unknown), as the published schema requires", () => {
    expect(toResponsesUsage({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 })).toEqual({
      input_tokens: 3,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 2,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 5,
    });
  });

  it("counts the tokens an Anthropic target wrote to its cache", () => {
    const u = toResponsesUsage({
      prompt_tokens: 1200,
      completion_tokens: 5,
      total_tokens: 1205,
      prompt_tokens_details: { cached_tokens: 100, cache_creation_tokens: 1000 },
    });
    expect(u.input_tokens_details).toEqual({ cached_tokens: 100, cache_write_tokens: 1000 });
  });
});
