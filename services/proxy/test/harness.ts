import { type ChildProcess, spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { compileConfig, parseConfig } from "@ai-router/config";
import { createLogger } from "@ai-router/logger";
import { TableStore } from "../src/routing/table-store.js";
import { createProxy, type Proxy as RouterProxy } from "../src/server.js";

/** A proxy running in this process on a free port, built from YAML/JSON config text or an object. */
export interface TestProxy {
  url: string;
  proxy: RouterProxy;
  store: TableStore;
  close(): Promise<void>;
}

export async function startTestProxy(config: string | object, env: NodeJS.ProcessEnv = {}): Promise<TestProxy> {
  const text = typeof config === "string" ? config : JSON.stringify(config);
  const logger = createLogger({ name: "proxy-test", level: process.env.TEST_LOG_LEVEL ?? "silent", sync: true });
  const store = new TableStore(logger);
  const { table } = compileConfig(parseConfig(text, "test-config", env));
  const applied = store.apply(table, "test");
  if (!applied.ok) throw new Error(applied.reason);
  const proxy = createProxy({ store, logger });
  await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, proxy, store, close: () => proxy.shutdown(1000) };
}

/** A real proxy process (`services/proxy/dist/main.js`, built by `npm test`), for start-up and signal tests. */
export interface ProxyProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const proxyMain = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export async function spawnProxy(env: NodeJS.ProcessEnv, timeoutMs = 10_000): Promise<ProxyProcess> {
  const child = spawn(process.execPath, [proxyMain], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`proxy did not start:\n${out}`)), timeoutMs);
    const onData = () => {
      const m = /"port":(\d+)[^\n]*listening/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`proxy exited with ${code}:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

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
