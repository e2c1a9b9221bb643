import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { compileConfig, parseConfig } from "@ai-router/config";
import type { UsageRecord } from "@ai-router/contracts";
import { createLogger } from "@ai-router/logger";
import { type ServiceProcess, spawnService } from "@ai-router/testing";
import { UsageRecordJson } from "../src/record/record-json.js";
import type { RequestRecord } from "../src/record/request-record.js";
import type { ResponseCaches } from "../src/response-cache/model-caches.js";
import { TableStore } from "../src/routing/table-store.js";
import { createProxy, type ProxyOptions, type Proxy as RouterProxy } from "../src/server.js";

/** A proxy running in this process on a free port, built from YAML/JSON config text or an object. */
export interface TestProxy {
  url: string;
  proxy: RouterProxy;
  store: TableStore;
  close(): Promise<void>;
}

export async function startTestProxy(
  config: string | object,
  env: NodeJS.ProcessEnv = {},
  opts: {
    poolWaitMs?: number;
    clientStallMs?: number;
    proxy?: (store: TableStore) => Partial<ProxyOptions>;
    /** The models' response caches (e.g. with an injected clock). */
    responseCaches?: ResponseCaches;
  } = {},
): Promise<TestProxy> {
  const text = typeof config === "string" ? config : JSON.stringify(config);
  const logger = createLogger({ name: "proxy-test", level: process.env.TEST_LOG_LEVEL ?? "silent", sync: true });
  const store = new TableStore(
    logger,
    Object.assign(
      opts.poolWaitMs !== undefined ? { poolWaitMs: opts.poolWaitMs } : {},
      opts.responseCaches ? { responseCaches: opts.responseCaches } : {},
    ),
  );
  const { table } = compileConfig(parseConfig(text, "test-config", env));
  const applied = store.apply(table, "test");
  if (!applied.ok) throw new Error(applied.reason);
  const proxy = createProxy(
    Object.assign(
      { store, logger },
      opts.clientStallMs !== undefined ? { clientStallMs: opts.clientStallMs } : {},
      opts.proxy ? opts.proxy(store) : {},
    ),
  );
  await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, proxy, store, close: () => proxy.shutdown(1000) };
}

const recordJson = new UsageRecordJson();

/** A request's record as the usage sinks publish it (the `usage_log` line, the ledger's batch entry), parsed. */
export const published = (r: RequestRecord): UsageRecord => JSON.parse(recordJson.of(r)) as UsageRecord;

/** A real proxy process (`services/proxy/dist/main.js`, built by `npm test`), for start-up and signal tests. */
export type ProxyProcess = ServiceProcess;

export const proxyMain = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export const spawnProxy = (env: NodeJS.ProcessEnv, timeoutMs = 10_000): Promise<ProxyProcess> => spawnService(proxyMain, env, timeoutMs);

/** Config for one model served by the given OpenAI-style upstreams (named up0, up1, ...). */
export function openAIConfig(
  baseUrls: string[],
  extra: { model?: Record<string, unknown>; server?: Record<string, unknown>; provider?: Record<string, unknown>; keys?: unknown[] } = {},
) {
  return {
    server: { cooldown_ms: 60_000, ...extra.server },
    providers: baseUrls.map((u, i) => ({
      name: `up${i}`,
      type: "openai-compatible",
      base_url: u,
      api_key: `sk-test-key-${i}`,
      timeout_ms: 2000,
      ...extra.provider,
    })),
    models: [
      {
        name: "gpt-4o",
        strategy: "round_robin",
        providers: baseUrls.map((_, i) => ({ provider: `up${i}`, model: "gpt-4o" })),
        ...extra.model,
      },
    ],
    ...(extra.keys ? { keys: extra.keys } : {}),
  };
}
