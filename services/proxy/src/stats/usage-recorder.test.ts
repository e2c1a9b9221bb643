import { describe, expect, it } from "vitest";
import type { AccessLog } from "./access-log.js";
import { costOf, type UsageRecord, UsageRecorder } from "./usage-recorder.js";

function recorder() {
  const lines: { r: UsageRecord; cost: number | undefined }[] = [];
  const log: AccessLog = { write: (r, cost) => lines.push({ r, cost }), flush: () => {} };
  return { usage: new UsageRecorder(log), lines };
}

describe("UsageRecorder", () => {
  it("logs a request refused by a key limit, with who and why, without counting it for any model", () => {
    const { usage, lines } = recorder();
    usage.refused("req-9", "chat.completions", "team-a", 429, "Rate limit reached for key team-a", 0.4);
    expect(lines).toEqual([
      {
        r: expect.objectContaining({
          requestId: "req-9",
          endpoint: "chat.completions",
          key: "team-a",
          status: 429,
          attempts: 0,
          provider: null,
          usage: undefined,
          error: "Rate limit reached for key team-a",
        }),
        cost: undefined,
      },
    ]);
    expect(usage.byModel.size).toBe(0);
  });

  it("counts and logs a served request with its cost", () => {
    const { usage, lines } = recorder();
    const cost = usage.record({
      requestId: "r1",
      model: "gpt-4o",
      provider: "p",
      upstreamModel: "u",
      endpoint: "chat.completions",
      status: 200,
      stream: false,
      attempts: 1,
      latencyMs: 3,
      usage: { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 },
      key: null,
      price: { input_per_mtok: 2.5, output_per_mtok: 10 },
    });
    expect(cost).toBe(2.5);
    expect(lines[0]?.cost).toBe(2.5);
    expect(usage.byModel.get("gpt-4o")).toMatchObject({ requests: 1, promptTokens: 1_000_000, costUsd: 2.5 });
  });
});

describe("costOf", () => {
  it("is undefined without a price (never 0), and counts images priced per image", () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };
    expect(costOf(usage, undefined)).toBeUndefined();
    expect(costOf(usage, { input_per_mtok: 2, output_per_mtok: 4 })).toBeCloseTo(0.004, 9);
    expect(
      costOf(
        { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, images: 3 },
        { input_per_mtok: 0, output_per_mtok: 0, per_image: 0.04 },
      ),
    ).toBeCloseTo(0.12, 9);
  });
});
