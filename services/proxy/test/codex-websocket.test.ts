import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestRecord } from "../src/record/request-record.js";
import { startTestProxy, type TestProxy } from "./harness.js";

// Codex CLI configured for the Responses WebSocket mode (`supports_websockets = true`) against the
// router, with a tool round trip. Codex is about 420 MB, so it is not a dependency: it runs when
// installed (`npm --prefix services/proxy/test/agents install`) or named by CODEX_BIN, and the test
// says it was skipped otherwise.
const installed = fileURLToPath(new URL("./agents/node_modules/.bin/codex", import.meta.url));
const CODEX = process.env.CODEX_BIN ?? (existsSync(installed) ? installed : undefined);
const KEY = "sk-codex-0123456789";

let chat: MockUpstream;
let proxy: TestProxy;
const records: RequestRecord[] = [];
let upgrades = 0;
let httpPosts = 0;

describe.skipIf(CODEX === undefined)("Codex CLI over the Responses WebSocket mode", () => {
  beforeAll(async () => {
    chat = await startMockUpstream();
    proxy = await startTestProxy({
      providers: [{ name: "compat", type: "openai-compatible", base_url: chat.baseUrl, api_key: "sk-compat", timeout_ms: 5000 }],
      models: [{ name: "codex-model", providers: [{ provider: "compat", model: "qwen-upstream" }] }],
      keys: [{ name: "codex", key: KEY }],
    });
    proxy.proxy.onRequestFinished((r) => records.push(r));
    // Real HTTP requests and upgrades, as they reach the server (socket turns never raise `request`).
    proxy.proxy.server.on("upgrade", () => upgrades++);
    proxy.proxy.server.on("request", (req) => {
      if (req.method === "POST" && req.url?.startsWith("/v1/responses")) httpPosts++;
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await chat?.close();
  });

  it("runs a task with a tool call over one socket: no POST /v1/responses, the tool's output sent back", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "codex-ws-"));
    const home = join(tmp, "codex");
    const work = join(tmp, "work");
    mkdirSync(home);
    mkdirSync(work);
    writeFileSync(
      join(home, "config.toml"),
      [
        'model = "codex-model"',
        'model_provider = "router"',
        "[model_providers.router]",
        'name = "AI Router"',
        `base_url = "${proxy.url}/v1"`,
        'env_key = "ROUTER_CLIENT_KEY"',
        'wire_api = "responses"',
        "supports_websockets = true",
        "request_max_retries = 0",
        "stream_max_retries = 0",
      ].join("\n"),
    );
    // stdin closed: with a pipe there, `codex exec` waits for more prompt.
    const child = spawn(
      CODEX as string,
      ["exec", "--skip-git-repo-check", "-o", join(tmp, "last.txt"), "list the files here with the shell tool"],
      {
        cwd: work,
        env: { ...process.env, CODEX_HOME: home, ROUTER_CLIENT_KEY: KEY, HOME: tmp },
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 90_000,
      },
    );
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c));
    child.stderr.on("data", (c: Buffer) => (out += c));
    await once(child, "exit");
    expect(upgrades, out).toBeGreaterThan(0);
    expect(httpPosts, out).toBe(0);
    const turns = records.filter((r) => r.endpoint === "responses");
    expect(turns.length, out).toBeGreaterThanOrEqual(2);
    // The second turn carried the tool call's output back to the model (as a chat `tool` message upstream).
    const bodies = chat.received("/chat/completions").map((r) => JSON.stringify(r.body));
    expect(
      bodies.some((b) => b.includes('"role":"tool"')),
      out,
    ).toBe(true);
  }, 120_000);
});
