import { describe, expect, it } from "vitest";
import type { LiveTarget } from "../routing/runtime-table.js";
import { realtimeUrl, toOpenAIUsage } from "./realtime-relay.js";

const target = (type: string, baseUrl: string, upstreamModel: string) =>
  ({ live: { config: { type, baseUrl } }, upstreamModel }) as unknown as LiveTarget;

describe("realtimeUrl", () => {
  it("OpenAI: <base_url>/realtime?model=, ws or wss as the base URL's scheme", () => {
    expect(realtimeUrl(target("openai", "https://api.openai.com/v1", "gpt-realtime")).href).toBe(
      "wss://api.openai.com/v1/realtime?model=gpt-realtime",
    );
    expect(realtimeUrl(target("openai", "http://127.0.0.1:9/v1/", "m")).href).toBe("ws://127.0.0.1:9/v1/realtime?model=m");
  });

  it("Azure OpenAI: <base_url>/realtime with the base URL's api-version and the deployment", () => {
    expect(realtimeUrl(target("azure-openai", "https://x.openai.azure.com/openai?api-version=2025-04-01-preview", "rt-dep")).href).toBe(
      "wss://x.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=rt-dep",
    );
  });
});

describe("toOpenAIUsage", () => {
  it("counts text and audio tokens together, cached input and the audio tokens apart, and ignores nonsense", () => {
    expect(
      toOpenAIUsage({
        input_tokens: 100,
        output_tokens: 80,
        input_token_details: { cached_tokens: 30, audio_tokens: 60, cached_tokens_details: { text_tokens: 10, audio_tokens: 20 } },
        output_token_details: { audio_tokens: 50 },
      }),
    ).toEqual({
      prompt_tokens: 100,
      completion_tokens: 80,
      total_tokens: 180,
      prompt_tokens_details: { cached_tokens: 30 },
      input_audio_tokens: 60,
      cached_input_audio_tokens: 20,
      output_audio_tokens: 50,
    });
    // Text only: no audio counts at all.
    expect(toOpenAIUsage({ input_tokens: 5, output_tokens: 2, input_token_details: { text_tokens: 5 } })).toEqual({
      prompt_tokens: 5,
      completion_tokens: 2,
      total_tokens: 7,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    expect(toOpenAIUsage({ input_tokens: Number.NaN, output_tokens: undefined })).toMatchObject({ prompt_tokens: 0, completion_tokens: 0 });
  });
});
