import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAIConfig, type ProxyProcess, spawnProxy } from "./harness.js";
import { chatLines, untilFinal } from "./offline-setup.js";

const KEY = "sk-team-a-resume-1111111111";
const LINES = 300;
const CONCURRENCY = 4;
let up: MockUpstream;
let dir: string;
let config: string;

beforeAll(async () => {
  up = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), "router-resume-"));
  config = join(dir, "router.yaml");
  writeFileSync(config, JSON.stringify(openAIConfig([up.baseUrl], { keys: [{ name: "team-a", key: KEY }] })));
});
afterAll(async () => {
  await up?.close();
  rmSync(dir, { recursive: true, force: true });
});

const start = () =>
  spawnProxy({
    ROUTER_CONFIG: config,
    ROUTER_DATA_DIR: join(dir, "data"),
    ROUTER_BATCH_CONCURRENCY: String(CONCURRENCY),
    ROUTER_WARMUP: "0",
    LOG_LEVEL: "info",
  });

/** Resolves once the upstream has seen `n` chat requests (checked as each one arrives). */
const upstreamSaw = (n: number) =>
  new Promise<void>((resolve) => {
    const check = () => {
      if (up.received("/chat/completions").length >= n) resolve();
      else setImmediate(check);
    };
    check();
  });

describe("a batch run by the router survives a SIGKILL", () => {
  it("resumes after a restart; every custom_id appears exactly once across output and error files", async () => {
    up.behavior.fallback = { delayMs: 5 };
    let p: ProxyProcess = await start();
    const client = () => new OpenAI({ baseURL: `${p.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const file = await client().files.create({ file: await toFile(Buffer.from(chatLines(LINES)), "in.jsonl"), purpose: "batch" });
    const batch = await client().batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    await upstreamSaw(LINES / 2);
    await p.stop("SIGKILL");
    const before = up.received("/chat/completions").length;
    expect(before).toBeLessThan(LINES);

    p = await start();
    try {
      const done = await untilFinal(client(), batch.id, 30_000);
      expect(done.status).toBe("completed");
      expect(done.request_counts).toEqual({ total: LINES, completed: LINES, failed: 0 });
      const ids: string[] = [];
      for (const f of [done.output_file_id, done.error_file_id]) {
        if (!f) continue;
        const text = await (await client().files.content(f)).text();
        for (const line of text.trim().split("\n")) ids.push(JSON.parse(line).custom_id);
      }
      expect(ids).toHaveLength(LINES);
      expect(new Set(ids).size).toBe(LINES);
      // The restart picked up where the batch stopped: at most the lines in flight at the kill ran twice.
      expect(up.received("/chat/completions").length).toBeLessThanOrEqual(LINES + CONCURRENCY);
    } finally {
      up.behavior.reset();
      await p.stop();
    }
  }, 60_000);
});
