import { type MockUpstream, startMockUpstream, waitFor } from "@ai-router/testing";
import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FineTuneMock, startFineTuneMock } from "./fine-tune-mock.js";
import { type OfflineProxy, startOfflineProxy, untilFinal } from "./offline-setup.js";

const A = "sk-team-a-native-budget-1111111111";
let oai: FineTuneMock;
let plain: MockUpstream;
let proxy: OfflineProxy;

/** `n` chat lines asking for up to 1,000 tokens each. */
const lines = (n: number, model: string) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `r-${i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: { model, max_tokens: 1000, messages: [{ role: "user", content: `line ${i}` }] },
    }),
  ).join("\n");

beforeAll(async () => {
  oai = await startFineTuneMock();
  plain = await startMockUpstream();
  proxy = await startOfflineProxy(
    {
      providers: [
        { name: "oai", type: "openai", base_url: oai.baseUrl, api_key: "sk-upstream-batch" },
        { name: "local", type: "openai-compatible", base_url: plain.baseUrl, api_key: "sk-local" },
      ],
      models: [
        // gpt-4o-mini at OpenAI's batch price: $0.075 / $0.30 per million tokens.
        { name: "mini", providers: [{ provider: "oai", model: "gpt-4o-mini" }] },
        { name: "private-llm", providers: [{ provider: "local", model: "qwen", price: { input_per_mtok: 1, output_per_mtok: 1 } }] },
      ],
      keys: [{ name: "team-a", key: A, budget_usd: 0.004 }],
    },
    { nativePollMs: 300 },
  );
});
afterAll(async () => {
  await proxy?.close();
  await oai?.close();
  await plain?.close();
});

describe("a batch at the provider's batch API is checked against its key's budget when created", () => {
  it("holds the estimated cost until the batch ends; a batch the budget cannot cover is refused with 429", async () => {
    const a = proxy.sdk(A);
    const upload = async (text: string) =>
      (await a.files.create({ file: await toFile(Buffer.from(text), "in.jsonl"), purpose: "batch" })).id;
    const create = (file: string) => a.batches.create({ input_file_id: file, endpoint: "/v1/chat/completions", completion_window: "24h" });
    // Ten lines of up to ~1,000 tokens each: about $0.003 at the batch price, within the $0.004 budget once.
    const ten = await upload(lines(10, "mini"));
    const first = await create(ten);
    await expect(create(ten)).rejects.toMatchObject({ status: 429, code: "insufficient_quota" });
    // Fifteen such lines never fit.
    await expect(create(await upload(lines(15, "mini")))).rejects.toMatchObject({ status: 429 });
    // Lines the router runs itself are checked one by one as requests, not held at creation.
    expect((await create(await upload(lines(2, "private-llm")))).status).toBe("validating");
    expect((await untilFinal(a, first.id)).status).toBe("completed");
    // Ended: its hold is given back (its lines are charged to the usage sinks, not to this process's budget).
    const again = await waitFor(() => create(ten).catch(() => undefined), 5_000, 20);
    expect(again.status).toBe("validating");
  });
});
