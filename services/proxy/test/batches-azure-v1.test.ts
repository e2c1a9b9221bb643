import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzureMock } from "./azure-offline-mock.js";
import { chatLines, type OfflineProxy, startOfflineProxy, untilFinal } from "./offline-setup.js";

/**
 * Azure OpenAI's v1 API (a base URL ending in `/openai/v1`): batches and files at `/openai/v1/batches`
 * and `/openai/v1/files` with no `api-version`, OpenAI's endpoint names, and `/v1/responses` batches run
 * there too (the classic API's batch endpoints have none: batches-azure.test.ts).
 */
const A = "sk-team-a-azv1-1111111111";
let azure: Awaited<ReturnType<typeof startAzureMock>>;
let proxy: OfflineProxy;

beforeAll(async () => {
  azure = await startAzureMock("az-key", undefined, "v1");
  proxy = await startOfflineProxy(
    {
      providers: [{ name: "az1", type: "azure-openai", base_url: azure.baseUrl, api_key: "az-key" }],
      models: [
        { name: "mini", providers: [{ provider: "az1", model: "gpt-4o-mini-dep", price: { input_per_mtok: 0.15, output_per_mtok: 0.6 } }] },
      ],
      keys: [{ name: "team-a", key: A }],
    },
    { nativePollMs: 10 },
  );
});
afterAll(async () => {
  await proxy?.close();
  await azure?.close();
});

/** The lines Azure was sent for its `i`th batch. */
const sentLines = (i: number) =>
  (azure.files.get(String([...azure.batches.values()][i]?.input_file_id)) ?? "")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { url: string; body: { model: string } });

describe("native batches at Azure OpenAI's v1 API", () => {
  it("runs a /v1/responses batch there: /openai/v1/files and /openai/v1/batches, no api-version, the deployment as model", async () => {
    const a = proxy.sdk(A);
    const lines = [0, 1].map((i) =>
      JSON.stringify({ custom_id: `r${i}`, method: "POST", url: "/v1/responses", body: { model: "mini", input: `hi ${i}` } }),
    );
    const file = await a.files.create({ file: await toFile(Buffer.from(lines.join("\n")), "in.jsonl"), purpose: "batch" });
    const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/responses", completion_window: "24h" });
    const done = await untilFinal(a, made.id);
    expect(done).toMatchObject({ status: "completed", request_counts: { total: 2, completed: 2, failed: 0 } });

    const upload = azure.seen.find((r) => r.method === "POST" && r.path === "/openai/v1/files");
    const create = azure.seen.find((r) => r.method === "POST" && r.path === "/openai/v1/batches");
    for (const r of [upload, create]) {
      expect(r?.headers["api-key"]).toBe("az-key");
      expect(r?.query.has("api-version")).toBe(false);
    }
    expect(JSON.parse(create?.text ?? "{}")).toMatchObject({ endpoint: "/v1/responses", completion_window: "24h" });
    expect(sentLines(0).map((l) => [l.url, l.body.model])).toEqual(Array(2).fill(["/v1/responses", "gpt-4o-mini-dep"]));
    expect(azure.deployments).toHaveLength(0);
    const out = (await (await a.files.content(done.output_file_id as string)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { custom_id: string; response: { status_code: number } });
    expect(out.map((l) => [l.custom_id, l.response.status_code])).toEqual([
      ["r0", 200],
      ["r1", 200],
    ]);
  });

  it("names chat batches as OpenAI does there, and live chat goes to /openai/v1/chat/completions", async () => {
    const a = proxy.sdk(A);
    const file = await a.files.create({ file: await toFile(Buffer.from(chatLines(2, "mini")), "in.jsonl"), purpose: "batch" });
    const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    expect((await untilFinal(a, made.id)).status).toBe("completed");
    expect(sentLines(1).map((l) => l.url)).toEqual(["/v1/chat/completions", "/v1/chat/completions"]);
    const chat = await a.chat.completions.create({ model: "mini", messages: [{ role: "user", content: "hi" }] });
    expect(chat.choices[0]?.message.content).toBe("from gpt-4o-mini-dep");
    expect(azure.deployments).toEqual(["gpt-4o-mini-dep"]);
  });
});
