import { Writable } from "node:stream";
import { compileConfig, parseConfig } from "@ai-router/config";
import type { ProbeReport } from "@ai-router/contracts";
import { createLogger } from "@ai-router/logger";
import { describe, expect, it } from "vitest";
import { TableStore } from "../routing/table-store.js";
import { createHealthFeed } from "./health-feed.js";

const NOW = 1_800_000_000_000;

function setup() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger({ name: "health-feed-test", level: "info", destination });
  const store = new TableStore(logger);
  const provider = (name: string) => ({ name, type: "openai-compatible", base_url: `http://127.0.0.1:9/${name}`, api_key: "sk-x" });
  const config = {
    server: { failure_threshold: 2, cooldown_ms: 60_000 },
    providers: [provider("a"), provider("b"), provider("c")],
    models: [
      {
        name: "chat",
        strategy: "round_robin",
        providers: [
          { provider: "a", model: "m" },
          { provider: "b", model: "m" },
        ],
      },
      // Shares target a/m with "chat": one health object, fed once per report.
      {
        name: "chat-2",
        strategy: "round_robin",
        providers: [
          { provider: "a", model: "m" },
          { provider: "c", model: "m", health_check: false },
        ],
      },
    ],
  };
  const applied = store.apply(compileConfig(parseConfig(JSON.stringify(config), "t", {})).table, "test");
  if (!applied.ok) throw new Error(applied.reason);
  const feed = createHealthFeed(store, logger);
  const model = (name: string) => store.current!.models.get(name)!;
  const first = (name: string, now = NOW) =>
    model(name).balancer.order({ promptTokens: 10, maxTokens: undefined, stream: false, now })[0]!.provider;
  const health = (id: string) => store.health.get(id)!;
  return { store, feed, first, health, lines, config };
}

const report = (provider: string, ok: boolean, extra: Partial<ProbeReport> = {}): string =>
  JSON.stringify(
    Object.assign(
      {
        provider,
        ok,
        status: ok ? 200 : null,
        latencyMs: 12,
        checkedAt: NOW,
        consecutiveFailures: ok ? 0 : 1,
        error: ok ? null : "connection refused",
        intervalMs: 200,
      },
      extra,
    ),
  );

describe("health feed (probe reports -> target health)", () => {
  it("after two failed probes the provider is skipped by the strategy until a probe succeeds", () => {
    const { feed, first } = setup();
    const picks = () => Array.from({ length: 6 }, () => first("chat"));
    expect(new Set(picks())).toEqual(new Set(["a", "b"]));
    expect(feed.handle(report("a", false), NOW)).toBe(true);
    expect(new Set(picks())).toEqual(new Set(["a", "b"])); // one failure is not a verdict
    feed.handle(Buffer.from(report("a", false, { consecutiveFailures: 2 })), NOW);
    expect(picks()).toEqual(["b", "b", "b", "b", "b", "b"]);
    feed.handle(report("a", true), NOW + 100);
    expect(new Set(picks())).toEqual(new Set(["a", "b"]));
  });

  it("takes the threshold from the table's settings, for targets it already knew too", () => {
    const { store, feed, first, config } = setup();
    const next = compileConfig(parseConfig(JSON.stringify(config), "t", {}), 2).table;
    next.settings.probeFailureThreshold = 1;
    expect(store.apply(next, "test").ok).toBe(true);
    feed.handle(report("a", false), NOW);
    expect(Array.from({ length: 4 }, () => first("chat"))).toEqual(["b", "b", "b", "b"]);
  });

  it("feeds a target shared by two models once, and never a shielded (health_check: false) link", () => {
    const { feed, health } = setup();
    feed.handle(report("a", false), NOW);
    expect(health("a/m").probeFailures).toBe(1); // not 2: one health object for both models
    feed.handle(report("c", false), NOW);
    feed.handle(report("c", false), NOW);
    expect(health("c/m").probeFailures).toBe(0);
    expect(health("c/m").available(NOW)).toBe(true);
  });

  it("a successful probe never closes a breaker opened by live traffic", () => {
    const { feed, health, first } = setup();
    const h = health("b/m");
    for (let i = 0; i < 2; i++) {
      h.begin(NOW);
      h.failure(NOW);
    }
    expect(h.breakerAt(NOW)).toBe("open");
    feed.handle(report("b", true), NOW + 1);
    expect(h.breakerAt(NOW + 1)).toBe("open");
    expect(first("chat", NOW + 1)).toBe("a");
  });

  it("drops malformed messages with a warning, never throws, and rate-limits the warnings", () => {
    const { feed, health, lines } = setup();
    expect(feed.handle("{not json", NOW)).toBe(false);
    expect(feed.handle(JSON.stringify({ provider: "a", ok: "yes" }), NOW + 1)).toBe(false);
    expect(health("a/m").probeFailures).toBe(0);
    // A field a newer release added is ignored, never a reason to drop the report (rolling upgrades).
    expect(feed.handle(report("a", false, { extra: 1 } as Partial<ProbeReport>), NOW + 2)).toBe(true);
    const warnings = lines.filter((l) => l.includes("health report dropped"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("not valid JSON");
    expect(feed.handle(report("unknown-provider", false), NOW)).toBe(true); // valid, just not ours
  });

  it("rebuilds its index when a new table arrives", () => {
    const { feed, store, health } = setup();
    const cur = store.current!;
    const table = {
      schemaVersion: 1,
      revision: cur.revision + 1,
      generatedAt: new Date().toISOString(),
      settings: cur.settings,
      providers: [...cur.providers.values()].map((p) => {
        const { origin: _o, basePath: _b, ...row } = p.config;
        return row;
      }),
      models: [
        {
          name: "only-b",
          llmType: "chat",
          strategy: "round_robin",
          strategyOptions: {},
          strict: false,
          created: 0,
          targets: [{ provider: "b", upstreamModel: "m", weight: 1, preferred: false, priority: 0, healthCheck: true, params: {} }],
        },
      ],
      clientKeys: [],
    };
    const r = store.apply(table, "test-2");
    expect(r.ok).toBe(true);
    feed.handle(report("a", false), NOW);
    feed.handle(report("b", false), NOW);
    expect(health("a/m").probeFailures).toBe(0); // a is no longer in the table
    expect(health("b/m").probeFailures).toBe(1);
  });
});
