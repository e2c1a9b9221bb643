import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
  ADMIN_TOKEN,
  type ServiceProcess,
  spawnService,
  startTestCluster,
  type TestCluster,
  waitFor,
} from "../../../services/control-plane/test/helpers.js";
import { hasChromium, launchChromium } from "./browser.js";
import { assertCjkFont } from "./layout-checks.js";

/**
 * Writes docs/console/*.png: every page with realistic data, one page in both languages, one at phone
 * size. Run on demand: `CONSOLE_SCREENSHOTS=1 npx vitest run apps/console/test/console.screenshots.test.ts`.
 */
const OUT = fileURLToPath(new URL("../../../docs/console/", import.meta.url));
const healthWorkerMain = fileURLToPath(new URL("../../../services/health-worker/dist/main.js", import.meta.url));

describe.skipIf(!hasChromium || process.env.CONSOLE_SCREENSHOTS !== "1")("console screenshots", () => {
  let cluster: TestCluster;
  let up: MockUpstream;
  let browser: Browser;
  let worker: ServiceProcess | undefined;
  let page: Page;

  beforeAll(async () => {
    [up, cluster, browser] = await Promise.all([startMockUpstream(), startTestCluster("console-shots", 1), launchChromium()]);
    worker = await spawnService(healthWorkerMain, {
      ...cluster.env,
      DATABASE_URL: cluster.databaseUrl,
      HEALTH_PROBE_INTERVAL_MS: "2000",
      HEALTH_WORKER_PORT: "0",
    }).catch(() => undefined);
    const a = (m: string, p: string, b?: unknown) => cluster.admin(m, p, b);
    const prov = async (name: string, adapter: string, base: string, key: string) =>
      (await a("POST", "/v1/db/providers", { name, adapter, base_url: base, api_key: key, description: null })).body.provider_id as number;
    const openai = await prov("openai-main", "openai-compatible", up.baseUrl, "sk-openai-0123456789abcd");
    const deepseek = await prov("deepseek", "openai-compatible", up.baseUrl, "sk-deepseek-0123456789wxyz");
    const qwen = await prov("qwen-dashscope", "openai-compatible", up.baseUrl, "sk-qwen-0123456789mnop");
    await prov("kimi-backup", "openai-compatible", "http://127.0.0.1:9/v1", "sk-kimi-0123456789qrst");
    const link = async (
      model: string,
      strategy: string,
      links: { id: number; up: string; w: number; price: [number, number]; priority?: number }[],
    ) => {
      const m = (await a("POST", "/v1/db/models", { name: model, strategy })).body.id as number;
      for (const l of links)
        await a("POST", `/v1/db/models/${m}/providers`, {
          provider_id: l.id,
          upstream_model: l.up,
          weight: l.w,
          priority: l.priority ?? 0,
          price: { input_per_mtok: l.price[0], output_per_mtok: l.price[1] },
        });
    };
    await link("gpt-4o", "weighted_round_robin", [{ id: openai, up: "gpt-4o-2024-11-20", w: 10, price: [2.5, 10] }]);
    await link("deepseek-chat", "fallback", [
      { id: deepseek, up: "deepseek-chat", w: 10, price: [0.27, 1.1] },
      { id: qwen, up: "deepseek-v3", w: 5, price: [0.3, 1.2], priority: 1 },
    ]);
    await link("qwen-max", "performance_based", [{ id: qwen, up: "qwen-max", w: 10, price: [1.6, 6.4] }]);
    const keyA = (await a("POST", "/v1/db/keys", { name: "team-search", budget_usd: 50, rpm_limit: 600 })).body.key as string;
    const keyB = (
      await a("POST", "/v1/db/keys", { name: "claude-code", models: ["deepseek-chat", "qwen-max"], budget_usd: 0.002, tpm_limit: 200000 })
    ).body.key as string;
    await a("POST", "/v1/db/keys", { name: "ci-bot", rpm_limit: 60, expires_at: new Date(Date.now() + 30 * 86400_000).toISOString() });
    const proxy = (cluster.proxies[0] as { url: string }).url;
    const chat = (model: string, key: string, stream = false) =>
      fetch(`${proxy}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ model, stream, messages: [{ role: "user", content: "Summarise the routing table in one line, please." }] }),
      }).then((r) => r.text());
    await waitFor(async () => (await fetch(`${proxy}/health`)).status === 200, 10_000);
    for (let i = 0; i < 24; i++) await chat(["gpt-4o", "deepseek-chat", "qwen-max"][i % 3] as string, i % 2 ? keyA : keyB, i % 4 === 0);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US", deviceScaleFactor: 1 });
    page = await ctx.newPage();
    await page.goto(`${proxy}/ui/`);
    await page.getByLabel("Admin token").waitFor();
    await assertCjkFont(page); // pictures in both languages (and the 中文 button on every page): never tofu
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}sign-in.png` });
    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await page.evaluate((k) => sessionStorage.setItem("ai-router.playground-key", k), keyA);
    await new Promise((r) => setTimeout(r, 6_000)); // proxies report targets every 5 s; the worker probes every 2 s
    mkdirSync(OUT, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await cluster?.stop();
    await up?.close();
  });

  const shot = async (path: string, name: string, ready: string) => {
    await page.evaluate((p) => {
      history.pushState(null, "", p);
      dispatchEvent(new PopStateEvent("popstate"));
    }, `/ui${path}`);
    await page.getByRole("heading", { name: ready, level: 1 }).waitFor();
    await page.waitForTimeout(600);
    await page.screenshot({ path: `${OUT}${name}.png` });
  };

  it("takes every page", async () => {
    await shot("/", "overview", "Overview");
    await shot("/providers", "providers", "Providers");
    await shot("/providers/1", "provider-detail", "openai-main");
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText(/Connection works/).waitFor();
    await page.screenshot({ path: `${OUT}provider-detail.png` });
    await shot("/models", "models", "Models");
    await shot("/models/2", "model-detail", "deepseek-chat");
    await shot("/keys", "keys", "Client keys");
    await shot("/playground", "playground", "Playground");
    await page.getByLabel("Message").fill("Which provider served this?");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByTestId("served-by").waitFor();
    await page.screenshot({ path: `${OUT}playground.png` });
    await shot("/usage", "usage", "Usage");
    await shot("/health", "health", "Health");
    await shot("/audit", "audit", "Audit log");
    await page.getByRole("button", { name: "Switch language" }).click();
    await shot("/", "overview.zh-CN", "概览");
    await shot("/providers", "providers.zh-CN", "服务商");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("/keys", "keys.mobile.zh-CN", "客户端密钥");
    await page.getByRole("button", { name: "菜单" }).click();
    await page.getByRole("button", { name: "切换语言" }).click();
    await page.getByRole("button", { name: "Menu" }).click();
    await shot("/models", "models.mobile", "Models");
    await page.getByRole("button", { name: "Menu" }).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}menu.mobile.png` });
  }, 120_000);
});
