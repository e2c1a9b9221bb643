import { randomBytes } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "@ai-router/logger";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SharedLimits } from "../src/limits/shared-limits.js";
import { startTestProxy, type TestProxy } from "./harness.js";

// An image model priced per image reserved $0 from a key's budget, so image requests sent at once all
// went through and overshot it. Each now reserves n x the dearest per_image before it is sent.
const KEY = "sk-image-budget-0123456789";
const PER_IMAGE = 0.04;
const BUDGET = 0.1;

/** An OpenAI-style image upstream that holds every answer until `release()`, and says when a request arrives. */
function heldImageUpstream() {
  const held: ServerResponse[] = [];
  let arrived = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.once("end", () => {
      held.push(res);
      arrived++;
      for (const w of waiters) if (arrived >= w.n) w.resolve();
    });
  });
  return {
    server,
    get arrived() {
      return arrived;
    },
    /** Resolves once `n` requests in all have reached the upstream. */
    reached(n: number): Promise<void> {
      if (arrived >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    release() {
      for (const res of held.splice(0)) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ created: 1, data: [{ url: "https://example.com/cat.png" }] }));
      }
    },
  };
}

const limitModes: [string, (() => SharedLimits) | undefined][] = [
  ["in this process (standalone)", undefined],
  [
    "in Redis (cluster)",
    () =>
      new SharedLimits(
        new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379"),
        `ai-router:test-${randomBytes(6).toString("hex")}:limits`,
        createLogger({ name: "image-budget-test", level: "silent" }),
        () => 1,
      ),
  ],
];

describe.each(limitModes)("key budgets and image models priced per image, limits counted %s", (_mode, sharedLimits) => {
  let up: ReturnType<typeof heldImageUpstream>;
  let proxy: TestProxy;
  let shared: SharedLimits | undefined;

  beforeAll(async () => {
    up = heldImageUpstream();
    await new Promise<void>((resolve) => up.server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(up.server.address() as AddressInfo).port}/v1`;
    shared = sharedLimits?.();
    proxy = await startTestProxy(
      `
providers:
  - { name: up, type: openai-compatible, base_url: "${base}", api_key: sk-upstream }
models:
  - name: dall-e-3
    llm_type: image
    providers:
      - { provider: up, model: dall-e-3, price: { input_per_mtok: 0, output_per_mtok: 0, per_image: ${PER_IMAGE} } }
keys:
  - { name: images, key: ${KEY}, budget_usd: ${BUDGET} }
  - { name: images-n, key: ${KEY}-n, budget_usd: ${BUDGET} }
`,
      {},
      { proxy: () => (shared ? { sharedLimits: shared } : {}) },
    );
  });
  afterAll(async () => {
    up.release();
    await proxy.close();
    shared?.close();
    await new Promise((resolve) => up.server.close(resolve));
  });

  const generate = (key: string, n: number) =>
    fetch(`${proxy.url}/v1/images/generations`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: "dall-e-3", prompt: "a cat", n }),
    });

  it("concurrent image requests reserve n x per_image: once the budget is reserved the rest get 429, and the overshoot is one reservation at most", async () => {
    const statuses: number[] = [];
    let answered: () => void = () => {};
    const sevenAnswered = new Promise<void>((resolve) => {
      answered = () => statuses.length === 7 && resolve();
    });
    const pending = Array.from({ length: 10 }, () =>
      generate(KEY, 1).then(async (r) => {
        statuses.push(r.status);
        answered();
        return { status: r.status, body: (await r.json()) as { error?: { code: string } } };
      }),
    );
    // $0.04 reserved each: admitted while spent + reserved < $0.10, i.e. three, held upstream; the other
    // seven are answered at once. (Reserving $0, all ten reached the upstream.)
    await Promise.race([Promise.all([sevenAnswered, up.reached(3)]), up.reached(4)]);
    expect(up.arrived).toBe(3);
    expect(statuses).toEqual([429, 429, 429, 429, 429, 429, 429]);
    up.release();
    const final = await Promise.all(pending);
    expect(up.arrived).toBe(3);
    expect(final.filter((r) => r.status === 200)).toHaveLength(3);
    for (const r of final) if (r.status === 429) expect(r.body.error?.code).toBe("insufficient_quota");
    // Spent: three images at $0.04, over the $0.10 budget by less than one reservation.
    const after = await generate(KEY, 1);
    expect(after.status).toBe(429);
    expect(((await after.json()) as { error: { message: string } }).error.message).toMatch(/has spent \$0\.1200 of its \$0\.1000 budget/);
  });

  it("a request for n images reserves all n: three images at $0.04 leave no room for a second request", async () => {
    const held = up.arrived;
    const first = generate(`${KEY}-n`, 3);
    await up.reached(held + 1);
    // Refused at once, or (reserving less than n images) let through to the upstream.
    const second = await Promise.race([generate(`${KEY}-n`, 1).then((r) => r.status), up.reached(held + 2).then(() => "sent upstream")]);
    expect(second).toBe(429);
    up.release();
    expect((await first).status).toBe(200);
  });
});
