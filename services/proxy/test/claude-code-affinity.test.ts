import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

// Claude Code itself through the router, with two equally weighted Anthropic targets: every request of
// its session (three turns, `--continue`d) reaches one target. Claude Code is about 230 MB, so it is
// not a dependency: .ci/run installs it (`services/proxy/test/claude-code`), CLAUDE_BIN names another
// one, and the test says it was skipped otherwise.
const installed = fileURLToPath(new URL("./claude-code/node_modules/.bin/claude", import.meta.url));
const CLAUDE = process.env.CLAUDE_BIN ?? (existsSync(installed) ? installed : undefined);
if (CLAUDE === undefined) {
  process.stdout.write(
    "claude-code-affinity: skipped: Claude Code is not installed (npm --prefix services/proxy/test/claude-code install)\n",
  );
}
const KEY = "sk-claude-code-0123456789";

let ups: MockUpstream[] = [];
let proxy: TestProxy;
let home: string;
let work: string;

/** One `claude -p` turn; `--continue` carries on the session the folder's last turn began. */
async function turn(prompt: string, cont: boolean): Promise<{ code: number | null; out: string; err: string }> {
  const args = ["-p", prompt, "--output-format", "json", ...(cont ? ["--continue"] : [])];
  const child = spawn(CLAUDE as string, args, {
    cwd: work,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      ANTHROPIC_BASE_URL: proxy.url,
      ANTHROPIC_AUTH_TOKEN: KEY,
      ANTHROPIC_MODEL: "claude-agent",
      ANTHROPIC_SMALL_FAST_MODEL: "claude-agent",
      DISABLE_TELEMETRY: "1",
      DISABLE_AUTOUPDATER: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    },
    // stdin closed: with a pipe there, `claude -p` waits for more input before it sends anything.
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 60_000,
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c));
  child.stderr.on("data", (c: Buffer) => (err += c));
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  return { code, out, err };
}

describe.skipIf(CLAUDE === undefined)("Claude Code through the router with two Anthropic targets", () => {
  beforeAll(async () => {
    ups = await Promise.all([startMockUpstream(), startMockUpstream()]);
    proxy = await startTestProxy({
      server: { failure_threshold: 1000 },
      providers: ups.map((u, i) => ({
        name: `claude-${i}`,
        type: "anthropic",
        base_url: u.url,
        api_key: `sk-ant-${i}`,
        timeout_ms: 20_000,
      })),
      models: [
        {
          name: "claude-agent",
          strategy: "round_robin",
          providers: ups.map((_, i) => ({ provider: `claude-${i}`, model: "claude-sonnet-4-5" })),
        },
      ],
      keys: [{ name: "claude-code", key: KEY }],
    });
    const tmp = mkdtempSync(join(tmpdir(), "claude-code-"));
    home = join(tmp, "home");
    work = join(tmp, "work");
    mkdirSync(home);
    mkdirSync(work);
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all(ups.map((u) => u.close()));
  });

  it("keeps every request of its session on one target", { timeout: 200_000 }, async () => {
    for (const [i, prompt] of ["say hello", "and again", "one more time"].entries()) {
      const r = await turn(prompt, i > 0);
      expect(r.code, r.out + r.err).toBe(0);
      // The mock upstream calls the tools it is offered, so each turn is several requests.
      expect(JSON.parse(r.out), r.out).toMatchObject({ type: "result", subtype: "success", is_error: false });
    }
    const served = ups.map((u) => u.received("/v1/messages").length);
    // Three turns at least (each several requests: tool calls, Claude Code's own), all on one of the two targets.
    expect(served[0]! + served[1]!).toBeGreaterThanOrEqual(3);
    expect(Math.min(...served)).toBe(0);
  });
});
