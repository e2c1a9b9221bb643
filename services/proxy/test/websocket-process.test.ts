import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyProcess, spawnProxy } from "./harness.js";
import { ResponsesSocket } from "./ws-client.js";

// The built proxy process (dist/main.js) with a Responses WebSocket open when SIGTERM arrives.
let up: MockUpstream;
beforeAll(async () => {
  up = await startMockUpstream();
});
afterAll(async () => {
  await up.close();
});

describe("proxy process with open WebSockets", () => {
  it("SIGTERM: the turn in flight streams to its end, then the socket is closed with 1001 and the process exits 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-proc-"));
    const cfg = join(dir, "router.yaml");
    writeFileSync(
      cfg,
      `providers: [{ name: up, type: openai-compatible, base_url: "${up.baseUrl}" }]\nmodels: [{ name: m, providers: [{ provider: up }] }]\n`,
    );
    const p: ProxyProcess = await spawnProxy({ ROUTER_CONFIG: cfg });
    const s = await ResponsesSocket.open(p.url);
    up.behavior.next({ chunkDelayMs: 40 });
    s.send({ type: "response.create", model: "m", input: "a reply long enough to take a while", store: false });
    await s.until((e) => e.type === "response.output_text.delta");
    const exited = p.stop("SIGTERM");
    const turn = await s.until((e) => e.type === "response.completed");
    const text = turn
      .filter((e) => e.type === "response.output_text.delta")
      .map((e) => e.delta)
      .join("");
    expect(text).toBe("Echo: a reply long enough to take a while");
    if (!s.closed) await once(s.ws, "close");
    expect(s.closed).toEqual({ code: 1001, reason: "server shutting down" });
    expect(await exited).toBe(0);
  });
});
