import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@ai-router/logger";
import OpenAI from "openai";
import { type OfflineApis, type OfflineOptions, offlineApis } from "../src/batches/offline-apis.js";
import { startTestProxy, type TestProxy } from "./harness.js";

/** A proxy in this process with the Files and Batches APIs on a fresh data folder. */
export interface OfflineProxy extends TestProxy {
  apis: OfflineApis;
  dir: string;
  sdk(apiKey: string): OpenAI;
}

export async function startOfflineProxy(config: object, opts: Partial<OfflineOptions> = {}): Promise<OfflineProxy> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "router-offline-"));
  const logger = createLogger({ name: "offline-test", level: process.env.TEST_LOG_LEVEL ?? "silent", sync: true });
  const apis = offlineApis({ logger, ...opts, dir });
  const p = await startTestProxy(config, {}, { proxy: () => ({ batchAuth: apis.auth }) });
  for (const e of apis.endpoints) p.proxy.addRoute(e);
  await apis.start({
    table: () => p.store.current,
    origin: p.url,
    liveInFlight: () => p.proxy.liveInFlight(),
    onRequestFinished: (l) => p.proxy.onRequestFinished(l),
  });
  return {
    ...p,
    apis,
    dir,
    sdk: (apiKey) => new OpenAI({ baseURL: `${p.url}/v1`, apiKey, maxRetries: 0 }),
    async close() {
      await apis.stop();
      await p.close();
      if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the batch is final, polling as a client would (each poll an event: the answer). */
export async function untilFinal(client: OpenAI, id: string, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const b = await client.batches.retrieve(id);
    if (["completed", "failed", "expired", "cancelled"].includes(b.status)) return b;
    if (Date.now() > end) throw new Error(`batch ${id} still ${b.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** JSONL text of chat lines for a batch. */
export const chatLines = (n: number, model = "gpt-4o", from = 0) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `req-${from + i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: { model, messages: [{ role: "user", content: `line ${from + i}` }] },
    }),
  ).join("\n");
