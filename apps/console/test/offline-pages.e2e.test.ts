import { existsSync, readFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { toFile } from "openai";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FineTuneMock, startFineTuneMock } from "../../../services/proxy/test/fine-tune-mock.js";
import { type OfflineProxy, startOfflineProxy, untilFinal } from "../../../services/proxy/test/offline-setup.js";
import { englishLeft, hasChromium, launchChromium } from "./browser.js";
import { assertCjkFont, cutText } from "./layout-checks.js";

/**
 * The Files, Batches and Fine-tuning pages in Chromium, in English and in Chinese, against a standalone
 * proxy's admin views (`/v1/admin/files`, `/batches`, `/fine_tuning/jobs`) holding seeded data of two
 * keys: the built console served beside it, `/v1/*` forwarded to the proxy.
 */
const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const ADMIN = "admin-token-console-offline-0123456789";
const A = "sk-team-a-console-1111111111";
const B = "sk-team-b-console-2222222222";
/** `CONSOLE_SCREENSHOTS=1`: each page is also written to docs/console/ (as console.screenshots.test.ts does). */
const SHOTS = process.env.CONSOLE_SCREENSHOTS === "1" ? fileURLToPath(new URL("../../../docs/console/", import.meta.url)) : undefined;
const shot = async (page: Page, name: string) => {
  if (!SHOTS) return;
  await assertCjkFont(page); // the language button says 中文 on every page: no picture with tofu in it
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
};
/** A real OpenAI base model, routed under its own name: the page must show it whole. */
const BASE = "gpt-4o-mini-2024-07-18";
/** The events dialog's first date: from this year (the provider's Unix seconds read as such), never 1970. */
const expectEventDatedNow = async (page: Page) => {
  const created = await page.getByRole("dialog").locator("tbody tr").first().locator("td").first().innerText();
  expect(created).toContain(String(new Date().getFullYear()));
  expect(created).not.toContain("1970");
};
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

/** The console's files under /ui/ (index.html for every page), `/v1/*` forwarded to the proxy. */
async function serveConsole(proxyUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(proxyUrl);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] as string;
    // The sign-in probe reads the control plane's audit log; a standalone proxy has none.
    if (path === "/v1/db/audit") return res.writeHead(200, { "content-type": "application/json" }).end('{"entries":[]}');
    if (path.startsWith("/v1/")) {
      const fwd = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(fwd);
      return;
    }
    const rel = normalize(path.replace(/^\/ui\/?/, "")).replace(/^(\.\.[/\\])+/, "");
    const file = join(DIST, rel && existsSync(join(DIST, rel)) && extname(rel) ? rel : "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.skipIf(!hasChromium || !existsSync(join(DIST, "index.html")))("console: files, batches and fine-tuning pages", () => {
  let up: MockUpstream;
  let ft: FineTuneMock;
  let proxy: OfflineProxy;
  let site: { url: string; close(): Promise<void> };
  let browser: Browser;
  const seeded = { batch: "", errorBatch: "", job: "", queued: "", ftModel: "", batchFile: "" };

  beforeAll(async () => {
    [up, ft, browser] = await Promise.all([startMockUpstream(), startFineTuneMock(), launchChromium()]);
    proxy = await startOfflineProxy({
      providers: [
        { name: "local", type: "openai-compatible", base_url: up.baseUrl, api_key: "sk-local" },
        { name: "oai", type: "openai", base_url: ft.baseUrl, api_key: "sk-upstream-ft" },
      ],
      models: [
        { name: "local-chat", providers: [{ provider: "local", model: "qwen" }] },
        { name: BASE, providers: [{ provider: "oai", model: BASE }] },
      ],
      keys: [
        { name: "team-a", key: A },
        { name: "team-b", key: B },
      ],
      server: { admin_token: ADMIN },
    });
    for (const e of proxy.apis.adminEndpoints(() => ADMIN)) proxy.proxy.addRoute(e);
    site = await serveConsole(proxy.url);

    const a = proxy.sdk(A);
    const line = (id: string, model: string) =>
      JSON.stringify({
        custom_id: id,
        method: "POST",
        url: "/v1/chat/completions",
        body: { model, messages: [{ role: "user", content: id }] },
      });
    const input = await a.files.create({
      file: await toFile(Buffer.from([line("q-1", "local-chat"), line("q-2", "local-chat")].join("\n")), "eval-set.jsonl"),
      purpose: "batch",
    });
    seeded.batchFile = input.id;
    seeded.batch = (
      await untilFinal(
        a,
        (
          await a.batches.create({ input_file_id: input.id, endpoint: "/v1/chat/completions", completion_window: "24h" })
        ).id,
      )
    ).id;
    const mixed = await a.files.create({
      file: await toFile(Buffer.from([line("ok-1", "local-chat"), line("bad-1", "no-such-model")].join("\n")), "mixed.jsonl"),
      purpose: "batch",
    });
    seeded.errorBatch = (
      await untilFinal(
        a,
        (
          await a.batches.create({ input_file_id: mixed.id, endpoint: "/v1/chat/completions", completion_window: "24h" })
        ).id,
      )
    ).id;

    const b = proxy.sdk(B);
    const training = `${JSON.stringify({
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
      ],
    })}\n`;
    const tf = await b.files.create({ file: await toFile(Buffer.from(training), "support-train.jsonl"), purpose: "fine-tune" });
    const job = await b.fineTuning.jobs.create({ model: BASE, training_file: tf.id });
    await b.fineTuning.jobs.retrieve(job.id);
    seeded.ftModel = (await b.fineTuning.jobs.retrieve(job.id)).fine_tuned_model as string;
    seeded.job = job.id;
    seeded.queued = (await b.fineTuning.jobs.create({ model: BASE, training_file: tf.id })).id;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await proxy?.close();
    await up?.close();
    await ft?.close();
  });

  async function open(locale: string, path: string): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale, acceptDownloads: true });
    await ctx.addInitScript((token) => sessionStorage.setItem("ai-router.admin-token", token), ADMIN);
    const page = await ctx.newPage();
    await page.goto(`${site.url}/ui${path}`);
    return page;
  }
  const downloaded = async (page: Page, click: () => Promise<void>) => {
    const [dl] = await Promise.all([page.waitForEvent("download"), click()]);
    return readFileSync((await dl.path()) as string, "utf8");
  };

  it("files: every key's files with owner and size, the purpose filter, download and delete (English)", async () => {
    const page = await open("en-US", "/files");
    await page.getByRole("heading", { name: "Files", level: 1 }).waitFor();
    const row = page.locator(`tr[data-file-id="${seeded.batchFile}"]`);
    await row.getByText("eval-set.jsonl").waitFor();
    expect(await row.innerText()).toContain("team-a");
    await page.getByText("support-train.jsonl").waitFor();
    expect(await cutText(page)).toEqual([]);
    await shot(page, "files");
    expect(await page.locator("tr", { hasText: "support-train.jsonl" }).innerText()).toContain("team-b");

    await page.getByLabel("Purpose").selectOption("fine-tune");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.locator(`tr[data-file-id="${seeded.batchFile}"]`).waitFor({ state: "detached" });
    await page.getByText("support-train.jsonl").waitFor();
    await page.getByLabel("Purpose").selectOption("batch");
    await page.getByRole("button", { name: "Apply" }).click();
    await row.waitFor();

    const text = await downloaded(page, () => row.getByRole("button", { name: "Download" }).click());
    expect(text).toContain('"custom_id":"q-1"');
    await row.getByRole("button", { name: "Delete" }).click();
    await row.getByRole("button", { name: "Yes" }).click();
    await row.waitFor({ state: "detached" });
    await expect(proxy.sdk(A).files.retrieve(seeded.batchFile)).rejects.toMatchObject({ status: 404 });
    await page.context().close();
  }, 60_000);

  it("batches: status, progress from request_counts, owner, output and error downloads (English)", async () => {
    const page = await open("en-US", "/batches");
    await page.getByRole("heading", { name: "Batches", level: 1 }).waitFor();
    const row = page.locator(`tr[data-batch-id="${seeded.batch}"]`);
    await row.getByText("Completed").waitFor();
    expect(await row.innerText()).toContain("team-a");
    expect(await row.innerText()).toContain("/v1/chat/completions");
    expect(await row.locator("progress").getAttribute("value")).toBe("2");
    expect(await row.locator("progress").getAttribute("max")).toBe("2");
    await page.locator(`tr[data-batch-id="${seeded.errorBatch}"]`).getByText("Completed").waitFor();
    expect(await cutText(page)).toEqual([]);
    await shot(page, "batches");
    const out = await downloaded(page, () => row.getByRole("button", { name: "Output" }).click());
    expect(
      out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).custom_id)
        .sort(),
    ).toEqual(["q-1", "q-2"]);
    const mixed = page.locator(`tr[data-batch-id="${seeded.errorBatch}"]`);
    expect(await mixed.innerText()).toContain("2 of 2 (1 failed)");
    const errors = await downloaded(page, () => mixed.getByRole("button", { name: "Errors" }).click());
    expect(JSON.parse(errors.trim()).custom_id).toBe("bad-1");
    await page.context().close();
  }, 60_000);

  it("fine-tuning: status, models, trained tokens, the events dialog, cancel (English)", async () => {
    const page = await open("en-US", "/fine-tuning");
    await page.getByRole("heading", { name: "Fine-tuning jobs", level: 1 }).waitFor();
    const row = page.locator(`tr[data-job-id="${seeded.job}"]`);
    await row.getByText("Succeeded").waitFor();
    expect(await row.innerText()).toContain(seeded.ftModel);
    expect(await row.innerText()).toContain("1,234");
    expect(await row.innerText()).toContain("team-b");
    expect((await row.locator("td").first().innerText()).split("\n")).toEqual([seeded.job, BASE]);
    await page.locator(`tr[data-job-id="${seeded.queued}"]`).getByText("Queued").waitFor();
    expect(await cutText(page)).toEqual([]);
    await row.getByRole("button", { name: "Events" }).click();
    await page.getByRole("dialog").getByText("Job is succeeded").waitFor();
    await expectEventDatedNow(page);
    expect(await cutText(page)).toEqual([]);
    await shot(page, "fine-tuning-events");
    await page.keyboard.press("Escape");
    const queued = page.locator(`tr[data-job-id="${seeded.queued}"]`);
    await queued.getByText("Queued").waitFor();
    await queued.getByRole("button", { name: "Cancel job" }).click();
    await queued.getByRole("button", { name: "Yes" }).click();
    await queued.getByText("Cancelled").waitFor();
    await page.context().close();
  }, 60_000);

  it("the three pages in Chinese: headings, statuses and every UI string translated", async () => {
    const page = await open("zh-CN", "/files");
    await page.getByRole("heading", { name: "文件", level: 1 }).waitFor();
    await page.getByText("support-train.jsonl").waitFor();
    expect(await englishLeft(page)).toEqual([]);
    expect(await cutText(page)).toEqual([]);
    await shot(page, "files.zh-CN");
    await page.getByRole("navigation").first().getByRole("link", { name: "批处理" }).click();
    await page.getByRole("heading", { name: "批处理", level: 1 }).waitFor();
    await page.locator(`tr[data-batch-id="${seeded.batch}"]`).getByText("已完成").waitFor();
    expect(await englishLeft(page)).toEqual([]);
    expect(await cutText(page)).toEqual([]);
    await shot(page, "batches.zh-CN");
    await page.getByRole("navigation").first().getByRole("link", { name: "微调" }).click();
    await page.getByRole("heading", { name: "微调任务", level: 1 }).waitFor();
    await page.locator(`tr[data-job-id="${seeded.job}"]`).getByText("已成功").waitFor();
    expect((await page.locator(`tr[data-job-id="${seeded.job}"] td`).first().innerText()).split("\n")).toEqual([seeded.job, BASE]);
    expect(await cutText(page)).toEqual([]);
    await page.locator(`tr[data-job-id="${seeded.job}"]`).getByRole("button", { name: "事件" }).click();
    await page.getByRole("dialog").getByText("Job is succeeded").waitFor();
    expect(await englishLeft(page)).toEqual([]);
    await expectEventDatedNow(page);
    await shot(page, "fine-tuning-events.zh-CN");
    await page.context().close();
  }, 60_000);
});
