import { splitTargetsReport, type TargetSnapshot, type TargetsReport } from "@ai-router/contracts";
import { createLogger } from "@ai-router/logger";
import { describe, expect, it } from "vitest";
import { LiveHealth } from "./live-health.js";

const snap = (i: number): TargetSnapshot => ({
  model: `m${i}`,
  provider: "p",
  upstream_model: `m${i}`,
  breaker: "closed",
  available: true,
  in_flight: 0,
  requests: i,
  failures: 0,
  consecutive_failures: 0,
  success_rate: 1,
  latency_ms: null,
  ttft_ms: null,
  tokens_per_s: null,
  probe_down: false,
  probe_latency_ms: null,
  last_probe_at: null,
});
const report = (at: number, n: number): TargetsReport => ({
  replica: "r1",
  at,
  revision: 3,
  targets: Array.from({ length: n }, (_, i) => snap(i)),
});
const health = () => new LiveHealth("b", createLogger({ name: "test", level: "silent" }), undefined as never);

describe("targets reports of large tables", () => {
  it("15,000 targets go in messages under NATS's 1 MB limit and come back whole", () => {
    const parts = splitTargetsReport(report(1000, 15_000));
    expect(parts.length).toBe(15);
    for (const p of parts) expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThan(1024 * 1024);
    const h = health();
    for (const p of parts.slice(0, -1)) h.observeTargets(p);
    expect(h.view(1000).replicas).toEqual([]); // not whole yet
    h.observeTargets(parts.at(-1)!);
    const [r] = h.view(1000).replicas;
    expect(r!.targets.length).toBe(15_000);
    expect(r!.targets[14_999]!.model).toBe("m14999");
  });

  it("a newer report replaces an unfinished one; a late part of an older one is ignored; small reports stay one message", () => {
    const h = health();
    const old = splitTargetsReport(report(1000, 2_500));
    const next = splitTargetsReport(report(2000, 1_500));
    h.observeTargets(old[0]!);
    h.observeTargets(next[0]!);
    h.observeTargets(old[1]!);
    h.observeTargets(next[1]!);
    const [r] = h.view(2000).replicas;
    expect(r!.at).toBe(new Date(2000).toISOString());
    expect(r!.targets.length).toBe(1_500);
    expect(splitTargetsReport(report(3000, 10))).toEqual([report(3000, 10)]);
  });
});
