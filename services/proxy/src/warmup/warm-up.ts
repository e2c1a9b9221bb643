import { openSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { compileConfig, parseConfig } from "@ai-router/config";
import { createLogger } from "@ai-router/logger";
import { Client } from "undici";
import { ProxyMetrics } from "../metrics/proxy-metrics.js";
import { createAccessLog } from "../record/access-log.js";
import { createJsonlSink } from "../record/jsonl-sink.js";
import { fanOut } from "../record/usage-sink.js";
import { TableStore } from "../routing/table-store.js";
import { createProxy } from "../server.js";
import { WARM_CALLS } from "./warm-calls.js";
import { startWarmUpstream } from "./warm-upstream.js";

export interface WarmUpOptions {
  /** Longest time the warm-up may take, ms (it stops early once every call ran `maxRounds` times). */
  budgetMs: number;
  /** Rounds of every call at most, all workers together (one round: each ingress, JSON and SSE, once). */
  maxRounds?: number;
  /** Requests in flight at once (default 8: a fresh process measured after 3 s at 2 was 2.2x its warm
   * figure, at 8 1.5x; real traffic's concurrency compiles code that one connection never runs). */
  concurrency?: number;
}

export interface WarmUpResult {
  requests: number;
  ms: number;
  /** Requests that did not answer 200 (a broken warm-up path; the router still starts). */
  failed: number;
}

/**
 * Warms the request path before the router takes traffic: a private proxy (same code, its own table,
 * store, counters and sinks writing to /dev/null) serves every ingress, JSON and SSE, against an
 * in-process upstream until the budget is spent. The JIT compiles what real requests will run, so a
 * new replica answers its first requests at the speed of an old one. Nothing of it reaches the real
 * proxy: not its usage records, access log, metrics, stats nor its client-key limits.
 */
export async function warmUp(opts: WarmUpOptions): Promise<WarmUpResult> {
  const t0 = performance.now();
  const deadline = t0 + opts.budgetMs;
  const upstream = await startWarmUpstream();
  // Two private proxies, requests alternating between them: a call whose target is made per proxy (its
  // request handler, a target's key picker, its sinks) then learns "any proxy's" rather than "the first
  // proxy's", and the real proxy, a third, runs the same compiled code instead of deoptimising it.
  // The second one's priced model takes a bundled price (those carry a cached-input price), the first one's
  // is priced in its config: the cost code learns both shapes.
  const proxies = [await privateProxy(upstream.baseUrl, false), await privateProxy(upstream.baseUrl, true)];
  let requests = 0;
  let failed = 0;
  let roundsLeft = opts.maxRounds ?? 1000;
  // Each worker opens a new connection every few rounds: closing one changes the shape of Node's socket
  // and parser objects, and the code compiled for them is then recompiled here rather than on real traffic.
  const worker = async (_: unknown, i: number) => {
    while (roundsLeft > 0 && performance.now() < deadline) {
      const client = new Client(proxies[i % 2]!.origin, { pipelining: 1 });
      try {
        for (let n = 0; n < 5 && roundsLeft-- > 0 && performance.now() < deadline; n++) {
          for (const call of WARM_CALLS) {
            const r = await client.request({ path: call.path, method: "POST", headers: call.headers, body: call.body });
            await r.body.dump();
            requests++;
            if (r.statusCode !== 200) failed++;
            if (performance.now() >= deadline) break;
          }
        }
      } finally {
        await client.close();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  } finally {
    for (const p of proxies) await p.close();
    await upstream.close();
  }
  return { requests, failed, ms: performance.now() - t0 };
}

/** A proxy of the warm-up's own: its own table, store, counters, metrics and sinks (to /dev/null). */
async function privateProxy(baseUrl: string, bundledPrice: boolean): Promise<{ origin: string; close(): Promise<void> }> {
  const logger = createLogger({ name: "proxy-warmup", level: "silent", sync: true });
  // No HTTPS_PROXY / HTTP_PROXY: the warm-up's upstream is in this process, never behind an egress proxy.
  const store = new TableStore(logger, { env: {} });
  const config = {
    providers: [{ name: "warm", type: "openai-compatible", base_url: baseUrl, api_key: "sk-warm-up" }],
    models: [
      {
        name: "warm",
        providers: [
          bundledPrice
            ? { provider: "warm", model: "gpt-4o-mini" }
            : { provider: "warm", model: "warm-1", price: { input_per_mtok: 1, output_per_mtok: 2 } },
        ],
      },
      { name: "warm-plain", providers: [{ provider: "warm" }] },
      { name: "warm-embed", llm_type: "embedding", providers: [{ provider: "warm" }] },
    ],
  };
  const { table } = compileConfig(parseConfig(JSON.stringify(config), "warm-up", {}));
  store.apply(table, "warm-up");
  const accessLog = createAccessLog(openSync("/dev/null", "w"));
  const usageLog = createJsonlSink("/dev/null");
  // No runtime series: they would start a second event-loop monitor and GC observer for the process's life.
  const metrics = new ProxyMetrics(store, () => 0, { runtime: false });
  const proxy = createProxy({ store, logger, accessLog, usageSink: fanOut([metrics, usageLog]), replica: "warm-up" });
  await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      await proxy.shutdown(0);
      accessLog.flush();
      usageLog.flush();
    },
  };
}
