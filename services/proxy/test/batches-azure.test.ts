import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzureMock } from "./azure-offline-mock.js";
import { chatLines, type OfflineProxy, startOfflineProxy, untilFinal } from "./offline-setup.js";

/** Azure OpenAI's own batch API (`{endpoint}/openai/batches?api-version=`), driven by the openai client through the router. */
const A = "sk-team-a-azbatch-1111111111";
const B = "sk-team-b-azbatch-2222222222";
let azure: Awaited<ReturnType<typeof startAzureMock>>;
let proxy: OfflineProxy;

beforeAll(async () => {
  azure = await startAzureMock("az-key");
  proxy = await startOfflineProxy(
    {
      providers: [{ name: "az", type: "azure-openai", base_url: azure.baseUrl, api_key: "az-key" }],
      models: [
        {
          name: "mini",
          providers: [{ provider: "az", model: "gpt-4o-mini-batch-deployment", price: { input_per_mtok: 0.15, output_per_mtok: 0.6 } }],
        },
      ],
      keys: [
        { name: "team-a", key: A },
        // Less than one line's most possible cost (4,096 output tokens at the batch price: about $0.0012).
        { name: "team-b", key: B, budget_usd: 0.001 },
      ],
    },
    { nativePollMs: 10 },
  );
});
afterAll(async () => {
  await proxy?.close();
  await azure?.close();
});

describe("native batches at Azure OpenAI", () => {
  it("uploads the file to /openai/files, creates the batch with Azure's endpoint name and deployments, copies the output back", async () => {
    const a = proxy.sdk(A);
    const file = await a.files.create({ file: await toFile(Buffer.from(chatLines(3, "mini")), "in.jsonl"), purpose: "batch" });
    const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    const done = await untilFinal(a, made.id);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });

    const create = azure.seen.find((r) => r.method === "POST" && r.path === "/openai/batches");
    expect(create?.headers["api-key"]).toBe("az-key");
    expect(create?.query.get("api-version")).toBe("2024-10-21");
    expect(JSON.parse(create?.text ?? "{}")).toMatchObject({ endpoint: "/chat/completions", completion_window: "24h" });
    const sent = (azure.files.get(String([...azure.batches.values()][0]?.input_file_id)) ?? "")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { url: string; body: { model: string } });
    expect(sent.map((l) => [l.url, l.body.model])).toEqual(Array(3).fill(["/chat/completions", "gpt-4o-mini-batch-deployment"]));
    expect(azure.deployments).toHaveLength(0); // nothing went through live chat

    const out = (await (await a.files.content(done.output_file_id as string)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { custom_id: string; response: { status_code: number } });
    expect(out.map((l) => [l.custom_id, l.response.status_code])).toEqual([
      ["req-0", 200],
      ["req-1", 200],
      ["req-2", 200],
    ]);
  });

  it("runs a /v1/responses batch itself (Azure's batch API of this version has no such endpoint)", async () => {
    const a = proxy.sdk(A);
    const before = azure.batches.size;
    const line = { custom_id: "r1", method: "POST", url: "/v1/responses", body: { model: "mini", input: "hi" } };
    const file = await a.files.create({ file: await toFile(Buffer.from(JSON.stringify(line)), "in.jsonl"), purpose: "batch" });
    const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/responses", completion_window: "24h" });
    const done = await untilFinal(a, made.id);
    expect(azure.batches.size).toBe(before);
    expect(done.request_counts?.total).toBe(1);
  });

  it("holds no budget for a batch Azure's batch API cannot take: the router runs it, each line checked as a request", async () => {
    const b = proxy.sdk(B);
    const line = { custom_id: "r1", method: "POST", url: "/v1/responses", body: { model: "mini", input: "hi" } };
    const file = await b.files.create({ file: await toFile(Buffer.from(JSON.stringify(line)), "in.jsonl"), purpose: "batch" });
    const made = await b.batches.create({ input_file_id: file.id, endpoint: "/v1/responses", completion_window: "24h" });
    expect(made.status).toBe("validating");
    expect((await untilFinal(b, made.id)).request_counts?.total).toBe(1);
    // The same key's chat batch would run at Azure's batch API: its estimate does not fit the budget.
    const chat = await b.files.create({ file: await toFile(Buffer.from(chatLines(1, "mini")), "in.jsonl"), purpose: "batch" });
    await expect(
      b.batches.create({ input_file_id: chat.id, endpoint: "/v1/chat/completions", completion_window: "24h" }),
    ).rejects.toMatchObject({ status: 429, code: "insufficient_quota" });
  });
});
