import { describe, expect, it } from "vitest";
import { METRIC_PREFIX, MetricsLegacyNamesEnv, withLegacyMetricNames } from "./metric-names.js";

/** Every sample line's series name. */
const seriesNames = (text: string): string[] =>
  text
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)?.[0] ?? l);

const text = `# HELP ai_router_requests_total Requests answered
# TYPE ai_router_requests_total counter
ai_router_requests_total{model="m"} 3

# HELP ai_router_ttft_seconds Time to first byte
# TYPE ai_router_ttft_seconds histogram
ai_router_ttft_seconds_bucket{le="0.1",model="m"} 1
ai_router_ttft_seconds_sum{model="m"} 0.05
ai_router_ttft_seconds_count{model="m"} 1

# HELP ai_router_process_cpu_seconds_total CPU
# TYPE ai_router_process_cpu_seconds_total counter
ai_router_process_cpu_seconds_total 1.5
`;

describe("legacy metric names", () => {
  it("repeats the families that had an unprefixed name under it, HELP marked deprecated; new families are not", () => {
    const out = withLegacyMetricNames(text);
    expect(out.startsWith(text)).toBe(true);
    const added = out.slice(text.length);
    expect(added).toContain("# HELP requests_total Requests answered (deprecated name: use ai_router_requests_total)\n");
    expect(added).toContain('# TYPE requests_total counter\nrequests_total{model="m"} 3\n');
    expect(added).toContain(
      'ttft_seconds_bucket{le="0.1",model="m"} 1\nttft_seconds_sum{model="m"} 0.05\nttft_seconds_count{model="m"} 1\n',
    );
    expect(added).not.toContain("process_cpu");
    expect(seriesNames(added).every((n) => !n.startsWith(METRIC_PREFIX))).toBe(true);
  });

  it("the flag is off unless set to 1 or true", () => {
    expect(MetricsLegacyNamesEnv.parse(undefined)).toBe(false);
    expect(MetricsLegacyNamesEnv.parse("1")).toBe(true);
    expect(MetricsLegacyNamesEnv.parse("true")).toBe(true);
    expect(MetricsLegacyNamesEnv.parse("0")).toBe(false);
    expect(MetricsLegacyNamesEnv.safeParse("yes").success).toBe(false);
  });
});
