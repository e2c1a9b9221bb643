import type { RoutingTable, TableModel, TableProvider } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import { buildRuntimeTable } from "./runtime-table.js";

const provider = (name: string, timeoutMs = 1_000): TableProvider => ({
  name,
  type: "mock",
  baseUrl: "http://mock.invalid/v1",
  apiKeys: [],
  timeoutMs,
  connectTimeoutMs: 1_000,
  headers: {},
  streamUsage: true,
  maxConnections: 8,
});
const model = (name: string, providers: string[]): TableModel => ({
  name,
  llmType: "chat",
  strategy: "round_robin",
  strategyOptions: {},
  strict: false,
  created: 1,
  targets: providers.map((p) => ({
    provider: p,
    upstreamModel: "mock-1",
    weight: 1,
    preferred: false,
    priority: 0,
    healthCheck: true,
    params: {},
  })),
});
const table = (revision: number, providers: TableProvider[], models: TableModel[], cooldownMs = 1_000): RoutingTable => ({
  schemaVersion: 1,
  revision,
  generatedAt: new Date(0).toISOString(),
  settings: { maxBodyBytes: 1_000, maxAttempts: 2, failureThreshold: 3, cooldownMs },
  providers,
  models,
  clientKeys: [],
});

describe("building the next table", () => {
  it("takes over unchanged models and providers as they are, and rebuilds what changed", () => {
    const a = model("a", ["p", "q"]);
    const b = model("b", ["q"]);
    const first = buildRuntimeTable(table(1, [provider("p"), provider("q")], [a, b]));
    // Same model objects (a checked chunk handed on again), same providers: nothing is rebuilt.
    const c = model("c", ["p"]);
    const second = buildRuntimeTable(table(2, [provider("p"), provider("q")], [a, b, c]), { previous: first });
    expect(second.models.get("a")).toBe(first.models.get("a"));
    expect(second.models.get("b")).toBe(first.models.get("b"));
    expect(second.providers.get("p")).toBe(first.providers.get("p"));
    expect(second.models.get("c")?.targets[0]?.live).toBe(second.providers.get("p"));
    // Provider q changed: q is built again, and so is every model that routes to it (never a stale provider).
    const third = buildRuntimeTable(table(3, [provider("p"), provider("q", 2_000)], [a, b, c]), { previous: second });
    expect(third.providers.get("p")).toBe(second.providers.get("p"));
    expect(third.providers.get("q")).not.toBe(second.providers.get("q"));
    expect(third.providers.get("q")?.config.timeoutMs).toBe(2_000);
    expect(third.models.get("c")).toBe(second.models.get("c"));
    for (const m of ["a", "b"]) {
      expect(third.models.get(m)).not.toBe(second.models.get(m));
      for (const t of third.models.get(m)!.targets) expect(t.live).toBe(third.providers.get(t.provider));
    }
    // An equal but fresh model object (another source) is built again; so is everything when settings change.
    const fourth = buildRuntimeTable(table(4, [provider("p"), provider("q", 2_000)], [{ ...a }, b, c]), { previous: third });
    expect(fourth.models.get("a")).not.toBe(third.models.get("a"));
    expect(fourth.models.get("b")).toBe(third.models.get("b"));
    const fifth = buildRuntimeTable(table(5, [provider("p"), provider("q", 2_000)], [a, b, c], 5_000), { previous: fourth });
    for (const m of ["a", "b", "c"]) expect(fifth.models.get(m)).not.toBe(fourth.models.get(m));
  });
});
