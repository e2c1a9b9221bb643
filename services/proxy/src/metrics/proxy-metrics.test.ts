import { createLogger } from "@ai-router/logger";
import { describe, expect, it } from "vitest";
import { finished } from "../../test/records.js";
import { TableStore } from "../routing/table-store.js";
import { ProxyMetrics } from "./proxy-metrics.js";

const samples = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
const store = () => new TableStore(createLogger({ name: "t", level: "silent", sync: true }));

describe("proxy metric names", () => {
  it("every series has the ai_router_ prefix, process and Node runtime series included", async () => {
    const text = await new ProxyMetrics(store(), () => 2).metrics();
    expect(samples(text).filter((l) => !l.startsWith("ai_router_"))).toEqual([]);
    for (const name of [
      "ai_router_in_flight_requests 2",
      "ai_router_process_cpu_user_seconds_total",
      "ai_router_process_resident_memory_bytes",
      "ai_router_nodejs_eventloop_lag_seconds",
      "ai_router_nodejs_heap_size_used_bytes",
      "# TYPE ai_router_nodejs_gc_duration_seconds histogram",
    ]) {
      expect(text).toContain(name);
    }
  });

  it("ROUTER_METRICS_LEGACY_NAMES also exports the old unprefixed names, and only those", async () => {
    const text = await new ProxyMetrics(store(), () => 5, { legacyNames: true, runtime: false }).metrics();
    const unprefixed = samples(text).filter((l) => !l.startsWith("ai_router_"));
    expect(unprefixed).toContain("in_flight_requests 5");
    expect(unprefixed).toContain("routing_table_revision -1");
    expect(unprefixed.some((l) => l.startsWith("process_") || l.startsWith("nodejs_"))).toBe(false);
    expect(text).toContain("ai_router_in_flight_requests 5");
  });
});

describe("prompt-cache token series", () => {
  it("count cache reads and writes per model apart from input, only once a model has any", async () => {
    const m = new ProxyMetrics(store(), () => 0);
    m.write(finished({ model: "m", answered: true, usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 } }));
    expect(await m.metrics()).not.toContain('direction="cache_read"');
    const usage = {
      prompt_tokens: 1000,
      completion_tokens: 5,
      total_tokens: 1005,
      prompt_tokens_details: { cached_tokens: 700, cache_creation_tokens: 200 },
    };
    m.write(finished({ model: "m", answered: true, usage }));
    const text = await m.metrics();
    expect(text).toContain('ai_router_tokens_total{model="unknown",direction="cache_read"} 700');
    expect(text).toContain('ai_router_tokens_total{model="unknown",direction="cache_write"} 200');
    expect(text).toContain('ai_router_tokens_total{model="unknown",direction="input"} 1010');
  });
});

describe("response cache series", () => {
  it("count hits and misses per model, only for models with a response cache", async () => {
    const m = new ProxyMetrics(store(), () => 0);
    m.write(finished({ model: "m", answered: true }));
    expect(await m.metrics()).not.toContain("ai_router_response_cache_requests_total{");
    m.write(finished({ model: "m", answered: true, cacheResult: "miss" }));
    m.write(finished({ model: "m", cacheResult: "hit", hitSavedUsd: 0.01 }));
    m.write(finished({ model: "m", cacheResult: "hit", hitSavedUsd: 0.01 }));
    const text = await m.metrics();
    expect(text).toContain('ai_router_response_cache_requests_total{model="unknown",result="hit"} 2');
    expect(text).toContain('ai_router_response_cache_requests_total{model="unknown",result="miss"} 1');
  });
});
