import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { CounterFamily, HistogramFamily } from "./fast-series.js";

describe("fast series (request-path counters and histograms read by prom-client)", () => {
  it("exports cumulative buckets (le inclusive), sum and count, and counters per label set", async () => {
    const registry = new Registry();
    const h = new HistogramFamily(registry, "d_seconds", "durations", [0.1, 1]);
    const c = new CounterFamily(registry, "r_total", "requests");
    const s = h.with({ model: "m" });
    for (const v of [0.05, 0.1, 0.5, 3]) h.observe(s, v);
    c.with({ model: "m", status_class: "2xx" }).value += 2;
    c.with({ model: "m", status_class: "2xx" }).value++;
    const text = await registry.metrics();
    expect(text).toContain('d_seconds_bucket{model="m",le="0.1"} 2\n');
    expect(text).toContain('d_seconds_bucket{model="m",le="1"} 3\n');
    expect(text).toContain('d_seconds_bucket{model="m",le="+Inf"} 4\n');
    expect(text).toContain('d_seconds_sum{model="m"} 3.65\n');
    expect(text).toContain('d_seconds_count{model="m"} 4\n');
    expect(text).toContain("# TYPE r_total counter\n");
    expect(text).toContain('r_total{model="m",status_class="2xx"} 3\n');
  });
});
