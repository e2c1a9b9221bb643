import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type PrivateNats, REDIS_URL, startPrivateNats, startTestCluster, type TestCluster, waitFor } from "./helpers.js";
import { scrape } from "./prometheus-text.js";
import { closePool, testPool } from "./test-database.js";

/**
 * The usage ledger end to end: proxies -> JetStream -> the health worker's writer -> Postgres -> the
 * admin API, on real processes, NATS, Redis and Postgres.
 */
interface Sent {
  id: string;
  status: number;
  prompt: number;
  completion: number;
}

interface Setup {
  cluster: TestCluster;
  a: MockUpstream;
  b: MockUpstream;
  key: string;
  tightKey: string;
  db: pg.Pool;
}

/** Client keys are required here, so the proxies' /metrics need their token. */
const METRICS_TOKEN = "metrics-token-0123456789abcdef";
const metricsAuth = { headers: { authorization: `Bearer ${METRICS_TOKEN}` } };

const PRICES = { pa: { input_per_mtok: 1, output_per_mtok: 2 }, pb: { input_per_mtok: 3, output_per_mtok: 4 } };

async function setup(prefix: string, natsUrl?: string): Promise<Setup> {
  const [a, b] = await Promise.all([startMockUpstream(), startMockUpstream()]);
  // Limits counted in Redis, as docker-compose deploys the proxies (the refusal below comes from there).
  const cluster = await startTestCluster(
    prefix,
    2,
    { REDIS_URL, ROUTER_METRICS_TOKEN: METRICS_TOKEN },
    { worker: true, ...(natsUrl ? { natsUrl } : {}) },
  );
  const admin = cluster.admin;
  for (const [name, up] of [
    ["pa", a],
    ["pb", b],
  ] as const) {
    const r = await admin("POST", "/v1/db/providers", {
      name,
      adapter: "openai-compatible",
      base_url: up.baseUrl,
      api_key: `sk-${name}-0001`,
    });
    expect(r.status).toBe(200);
  }
  const m = await admin("POST", "/v1/db/models", { name: "m", provider_id: 1, upstream_model: "gpt-4o", strategy: "fallback" });
  expect(m.status).toBe(200);
  await admin("PUT", `/v1/db/models/${m.body.id}/providers/1`, { price: PRICES.pa, priority: 0 });
  const l = await admin("POST", `/v1/db/models/${m.body.id}/providers`, {
    provider_id: 2,
    upstream_model: "gpt-4o",
    price: PRICES.pb,
    priority: 1,
  });
  expect(l.status).toBe(201);
  const key = (await admin("POST", "/v1/db/keys", { name: "team" })).body.key as string;
  const tightKey = (await admin("POST", "/v1/db/keys", { name: "tight", rpm_limit: 2 })).body.key as string;
  for (const p of cluster.proxies) {
    await waitFor(async () => (await chat(p.url, key, { stream: false })).status === 200, 10_000, 100);
  }
  const db = testPool(cluster.databaseUrl);
  // The warm-up requests above are in the ledger too: start from an empty table.
  await waitFor(async () => (await count(db)) === cluster.proxies.length, 15_000, 100);
  await db.query("DELETE FROM usage_records");
  return { cluster, a, b, key, tightKey, db };
}

async function teardown(s: Setup | undefined) {
  if (!s) return;
  await closePool(s.db);
  await s.cluster.stop();
  await Promise.all([s.a.close(), s.b.close()]);
}

async function chat(base: string, key: string, opts: { stream: boolean }): Promise<Sent> {
  const r = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({
      model: "m",
      messages: [{ role: "user", content: "count my tokens please" }],
      ...(opts.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    }),
  });
  const id = r.headers.get("x-request-id")!;
  const text = await r.text();
  let usage = { prompt_tokens: 0, completion_tokens: 0 };
  if (r.status === 200) {
    if (opts.stream) {
      const line = text
        .split("\n")
        .filter((x) => x.includes('"usage":{'))
        .pop();
      usage = JSON.parse(line!.slice(6)).usage;
    } else usage = JSON.parse(text).usage;
  }
  return { id, status: r.status, prompt: usage.prompt_tokens, completion: usage.completion_tokens };
}

const count = async (db: pg.Pool) => Number((await db.query("SELECT count(*)::int AS n FROM usage_records")).rows[0].n);

/** Sends `n` mixed requests (JSON, streams, a few failed over) round-robin over the proxies, `conc` at a time. */
async function load(s: Setup, n: number, conc: number, during?: (sent: number) => Promise<void> | void): Promise<Sent[]> {
  const out: Sent[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      if (i % 10 === 3) s.a.behavior.next({ status: 500 });
      const p = s.cluster.proxies[i % s.cluster.proxies.length]!;
      out.push(await chat(p.url, s.key, { stream: i % 2 === 1 }));
      await during?.(out.length);
    }
  };
  await Promise.all(Array.from({ length: conc }, worker));
  return out;
}

async function waitForRows(db: pg.Pool, n: number, timeoutMs = 45_000): Promise<void> {
  await waitFor(async () => (await count(db)) >= n, timeoutMs, 200);
  // Redeliveries after a crash come later: give them time to (not) add rows.
  await new Promise((r) => setTimeout(r, 1_500));
}

describe("usage ledger (shared NATS)", () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup("usage_ledger");
  }, 90_000);
  afterAll(() => teardown(s));

  it("N mixed requests through two replicas (JSON, streams, failovers, refusals) -> exactly N rows with the right sums; summary = rows; /metrics moves by exactly N", async () => {
    const teamSpend = async () =>
      ((await s.cluster.admin("GET", "/v1/db/keys")).body.keys as { id: number; name: string; spent_usd: number }[]).find(
        (k) => k.name === "team",
      )!;
    const spentBefore = (await teamSpend()).spent_usd;
    const before = await Promise.all(
      s.cluster.proxies.map(async (p) => scrape(await (await fetch(`${p.url}/metrics`, metricsAuth)).text(), "ai_router_requests_total")),
    );
    const sent = await load(s, 60, 6);
    // Refusals: the third request of a key with rpm_limit 2 on one replica.
    const p0 = s.cluster.proxies[0]!.url;
    for (let i = 0; i < 3; i++) sent.push(await chat(p0, s.tightKey, { stream: false }));
    expect(sent.filter((x) => x.status === 429)).toHaveLength(1);
    expect(sent.filter((x) => x.status === 200)).toHaveLength(62);
    await waitForRows(s.db, sent.length);
    const rows = (await s.db.query("SELECT * FROM usage_records")).rows as Record<string, any>[];
    expect(rows).toHaveLength(sent.length);
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    for (const x of sent) {
      const r = byId.get(x.id);
      expect(r, x.id).toBeDefined();
      expect([r!.status, r!.prompt_tokens, r!.completion_tokens]).toEqual([x.status, x.prompt, x.completion]);
      if (x.status === 200) {
        const price = PRICES[r!.provider as "pa" | "pb"];
        expect(r!.cost_usd).toBeCloseTo((x.prompt * price.input_per_mtok + x.completion * price.output_per_mtok) / 1e6, 12);
      } else expect([r!.model, r!.error_code, r!.key_name]).toEqual([null, "rate_limit_exceeded", "tight"]);
    }
    const failedOver = rows.filter((r) => r.attempts.length === 2);
    expect(failedOver.length).toBeGreaterThan(0);
    for (const r of failedOver)
      expect(r.attempts.map((x: { provider: string; outcome: string }) => [x.provider, x.outcome])).toEqual([
        ["pa", "retry"],
        ["pb", "served"],
      ]);
    expect(rows.filter((r) => r.stream).length).toBe(30);

    // The admin API through a proxy's port: summary totals are the sums of the rows.
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const summary = (await (await fetch(`${p0}/v1/db/usage/summary?group_by=provider`, { headers: auth })).json()) as {
      rows: { key: string; requests: number; prompt_tokens: number; cost_usd: number }[];
      totals: { requests: number; errors: number; prompt_tokens: number; completion_tokens: number; cost_usd: number };
    };
    const sum = (k: string) => rows.reduce((t, r) => t + Number(r[k] ?? 0), 0);
    expect(summary.totals).toMatchObject({
      requests: sent.length,
      errors: 1,
      prompt_tokens: sum("prompt_tokens"),
      completion_tokens: sum("completion_tokens"),
    });
    expect(summary.totals.cost_usd).toBeCloseTo(sum("cost_usd"), 10);
    expect(summary.rows.reduce((t, r) => t + r.requests, 0)).toBe(sent.length);
    expect(summary.rows.map((r) => r.key).sort()).toEqual(["pa", "pb", "unknown"]);
    const csv = await (await fetch(`${p0}/v1/db/usage/summary?group_by=model`, { headers: { ...auth, accept: "text/csv" } })).text();
    expect(csv.split("\r\n")[0]).toBe(
      "key,requests,errors,prompt_tokens,completion_tokens,cached_tokens,cost_usd,latency_p50_ms,latency_p95_ms,ttft_p50_ms,cache_creation_tokens,cache_hit_ratio,cache_saved_usd,response_cache_hits",
    );
    expect(csv).toContain(`m,${sent.length - 1},0,`);

    // Every record exactly once over the pages, newest first.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await fetch(`${p0}/v1/db/usage?limit=17${cursor ? `&cursor=${cursor}` : ""}`, { headers: auth })).json()) as {
        data: { id: string; time: string }[];
        next_cursor: string | null;
      };
      seen.push(...page.data.map((r) => r.id));
      for (let i = 1; i < page.data.length; i++) expect(page.data[i - 1]!.time >= page.data[i]!.time).toBe(true);
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(sent.map((x) => x.id).sort());
    const bad = await fetch(`${p0}/v1/db/usage?limit=5000`, { headers: auth });
    expect(bad.status).toBe(400);

    // /metrics parses as Prometheus text and requests_total moved by exactly what each replica answered.
    const after = await Promise.all(
      s.cluster.proxies.map(async (p) => scrape(await (await fetch(`${p.url}/metrics`, metricsAuth)).text(), "ai_router_requests_total")),
    );
    expect(after[0]! - before[0]! + (after[1]! - before[1]!)).toBe(sent.length);
    expect(after[0]! - before[0]!).toBe(33);
    const worker = await (await fetch(`${s.cluster.workers[0]!.url}/metrics`)).text();
    expect(scrape(worker, "ai_router_ledger_rows_written_total")).toBeGreaterThanOrEqual(sent.length);
    const cpMetrics = await (await fetch(`${s.cluster.cp.url}/metrics`)).text();
    expect(scrape(cpMetrics, "ai_router_tables_published_total")).toBeGreaterThan(0);
    expect(scrape(cpMetrics, "ai_router_admin_requests_total")).toBeGreaterThan(0);
    // One prefix for every series of the three services, their process and Node runtime series included.
    const proxyMetrics = await (await fetch(`${p0}/metrics`, metricsAuth)).text();
    for (const text of [proxyMetrics, worker, cpMetrics]) {
      expect(text.split("\n").filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("ai_router_"))).toEqual([]);
      expect(scrape(text, "ai_router_process_resident_memory_bytes")).toBeGreaterThan(0);
    }

    // The original's statistics views, cluster-wide from the ledger, through either replica.
    const stats = (await (await fetch(`${s.cluster.proxies[1]!.url}/v1/stats`, { headers: auth })).json()) as {
      stats: { request_counters: Record<string, number>; prompt_tokens: Record<string, number> };
    };
    expect(stats.stats.request_counters.m).toBe(sent.length - 1);
    expect(stats.stats.prompt_tokens.m).toBe(sum("prompt_tokens"));
    const perf = (await (await fetch(`${p0}/v1/providers/pb/performance`, { headers: auth })).json()) as Record<string, number>;
    const pbRows = rows.filter((r) => r.provider === "pb");
    expect(perf).toMatchObject({ provider_name: "pb", total_requests: pbRows.length, total_failed_requests: 0 });
    expect(perf.total_cost).toBeCloseTo(
      pbRows.reduce((t, r) => t + r.cost_usd, 0),
      10,
    );
    const paPerf = (await (await fetch(`${p0}/v1/providers/pa/performance`, { headers: auth })).json()) as Record<string, number>;
    expect(paPerf.total_failed_requests).toBe(failedOver.length);
    const overview = (await (await fetch(`${p0}/v1/providers/stats/overview`, { headers: auth })).json()) as Record<string, number>;
    expect(overview.total_providers).toBe(2);

    // Key spend is the ledger's: it grew by exactly the sum of the key's rows.
    const team = await teamSpend();
    const teamRows = rows.filter((r) => r.key_id === String(team.id));
    expect(teamRows).toHaveLength(60);
    expect(team.spent_usd - spentBefore).toBeCloseTo(
      teamRows.reduce((t, r) => t + r.cost_usd, 0),
      10,
    );
    // Documented in the OpenAPI document; the daily retention job ran at the worker's start.
    const doc = (await (await fetch(`${s.cluster.cp.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/db/usage", "/v1/db/usage/summary"]));
    expect(s.cluster.workers[0]!.output()).toContain("usage retention ran");
  }, 120_000);

  it("the writer killed with SIGKILL mid-load and restarted: still exactly N rows", async () => {
    await s.db.query("DELETE FROM usage_records");
    let killed = false;
    const sent = await load(s, 120, 6, async (n) => {
      if (n >= 40 && !killed) {
        killed = true;
        await s.cluster.workers[0]!.stop("SIGKILL");
        await s.cluster.startWorker();
      }
    });
    expect(killed).toBe(true);
    await waitForRows(s.db, sent.length);
    expect(await count(s.db)).toBe(sent.length);
    const ids = new Set(((await s.db.query("SELECT id FROM usage_records")).rows as { id: string }[]).map((r) => r.id));
    expect(sent.every((x) => ids.has(x.id))).toBe(true);
  }, 120_000);
});

describe("usage ledger (NATS stopped during load)", () => {
  let nats: PrivateNats;
  let s: Setup;
  beforeAll(async () => {
    nats = await startPrivateNats();
    s = await setup("usage_nats", nats.url);
  }, 90_000);
  afterAll(async () => {
    await teardown(s);
    await nats?.dispose();
  });

  it("NATS stopped during load and restarted: proxies keep serving, buffer, and the ledger ends with exactly N rows", async () => {
    let stopped = false;
    const sent = await load(s, 120, 4, async (n) => {
      if (n >= 30 && !stopped) {
        stopped = true;
        await nats.stop();
      }
    });
    expect(sent.every((x) => x.status === 200)).toBe(true);
    await nats.start();
    await waitForRows(s.db, sent.length, 60_000);
    expect(await count(s.db)).toBe(sent.length);
  }, 150_000);
});
