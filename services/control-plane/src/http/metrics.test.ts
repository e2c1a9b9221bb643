import { describe, expect, it } from "vitest";
import { ControlPlaneMetrics } from "./metrics.js";

const samples = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

describe("control plane metric names", () => {
  it("every series has the ai_router_ prefix, runtime series included; legacy names only behind the flag", async () => {
    const text = await new ControlPlaneMetrics(
      () => ({ published: 4, failed: 1 }),
      () => 9,
    ).metrics();
    expect(samples(text).filter((l) => !l.startsWith("ai_router_"))).toEqual([]);
    expect(text).toContain('ai_router_tables_published_total{result="published"} 4');
    expect(text).toContain("ai_router_routing_table_revision 9");
    expect(text).toContain("ai_router_nodejs_eventloop_lag_seconds");
    const legacy = await new ControlPlaneMetrics(
      () => undefined,
      () => 3,
      { legacyNames: true, runtime: false },
    ).metrics();
    expect(samples(legacy)).toContain("routing_table_revision 3");
  });
});
