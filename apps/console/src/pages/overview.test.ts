import { describe, expect, it } from "vitest";
import { bucketRows } from "./overview.js";

const row = (key: string, requests: number) => ({
  key,
  requests,
  errors: 0,
  prompt_tokens: 1,
  completion_tokens: 1,
  cached_tokens: 0,
  cost_usd: 0.1,
  latency_p50_ms: 10,
  latency_p95_ms: 20,
  ttft_p50_ms: 5,
});

describe("bucketRows", () => {
  it("gives every hour of the last 24 h, in order, with empty hours at 0 and no latency", () => {
    const now = Date.parse("2026-11-30T10:30:00Z");
    const out = bucketRows(
      [row("2026-11-30T09:00:00.000Z", 7), row("2026-11-29T12:00:00.000Z", 3)],
      { ms: 24 * 3600_000, bucket: "hour" },
      now,
    );
    expect(out).toHaveLength(25);
    expect(out[0]!.key).toBe("2026-11-29T10:00:00.000Z");
    expect(out.at(-1)!.key).toBe("2026-11-30T10:00:00.000Z");
    expect(out.find((r) => r.key === "2026-11-30T09:00:00.000Z")!.requests).toBe(7);
    expect(out.find((r) => r.key === "2026-11-29T12:00:00.000Z")!.requests).toBe(3);
    const empty = out.find((r) => r.key === "2026-11-30T08:00:00.000Z")!;
    expect(empty).toMatchObject({ requests: 0, cost_usd: 0, latency_p50_ms: null });
  });

  it("uses days for the week", () => {
    const out = bucketRows([], { ms: 7 * 86_400_000, bucket: "day" }, Date.parse("2026-11-30T10:30:00Z"));
    expect(out).toHaveLength(8);
    expect(out[0]!.key).toBe("2026-11-23T00:00:00.000Z");
  });
});
