import { RouterError } from "@ai-router/errors";
import { describe, expect, it } from "vitest";
import { finished, recordOf } from "../../test/records.js";
import type { AccessLog } from "./access-log.js";
import { finishRecord } from "./finish-record.js";
import type { RequestRecord } from "./request-record.js";
import { UsageRecorder } from "./usage-recorder.js";

function recorder() {
  const lines: RequestRecord[] = [];
  const log: AccessLog = { write: (r) => lines.push(r), flush: () => {} };
  return { usage: new UsageRecorder(log), lines };
}

describe("UsageRecorder", () => {
  it("logs a request refused by a key limit, with who and why, without counting it for any model", () => {
    const { usage, lines } = recorder();
    const r = recordOf({ key: "team-a" }, undefined, "req-9");
    r.refuse(new RouterError("rate_limit_exceeded", "Rate limit reached for key team-a"));
    finishRecord(r, {
      replica: "r",
      seq: 1,
      arrivedAt: 0,
      latencyMs: 0.4,
      ttfbMs: 0.4,
      status: 429,
      requestBytes: 0,
      responseBytes: 0,
      queuedMs: 0,
    });
    usage.finished(r);
    expect(lines).toEqual([
      expect.objectContaining({
        requestId: "req-9",
        endpoint: "chat.completions",
        key: "team-a",
        status: 429,
        attempts: [],
        provider: null,
        usage: undefined,
        costUsd: null,
        error: "Rate limit reached for key team-a",
      }),
    ]);
    expect(usage.byModel.size).toBe(0);
  });

  it("counts and logs a served request with its cost", () => {
    const { usage, lines } = recorder();
    const r = finished({
      outcome: "served",
      model: "gpt-4o",
      provider: "p",
      upstreamModel: "u",
      answered: true,
      usage: { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 },
      price: { input_per_mtok: 2.5, output_per_mtok: 10 },
    });
    usage.finished(r);
    expect(r.costUsd).toBe(2.5);
    expect(lines[0]?.costUsd).toBe(2.5);
    expect(usage.byModel.get("gpt-4o")).toMatchObject({ requests: 1, promptTokens: 1_000_000, costUsd: 2.5 });
    expect(usage.targetUsage("p", "u")).toMatchObject({ requests: 1, promptTokens: 1_000_000, costUsd: 2.5 });
  });

  it("tells listeners the same record the access log got, after counting it", () => {
    const { usage, lines } = recorder();
    const seen: RequestRecord[] = [];
    usage.onFinished((r) => {
      expect(usage.byModel.get("m")?.requests).toBe(1);
      seen.push(r);
    });
    usage.onFinished(() => {
      throw new Error("a broken listener");
    });
    const r = finished({ outcome: "served", model: "m" });
    usage.finished(r);
    expect(seen[0]).toBe(r);
    expect(lines[0]).toBe(r);
  });
});
