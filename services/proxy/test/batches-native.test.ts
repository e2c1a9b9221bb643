import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FineTuneMock, startFineTuneMock } from "./fine-tune-mock.js";
import { chatLines, type OfflineProxy, startOfflineProxy, untilFinal } from "./offline-setup.js";

const A = "sk-team-a-native-1111111111";
let oai: FineTuneMock;
let plain: MockUpstream;
let proxy: OfflineProxy;

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
        { name: "mini", providers: [{ provider: "oai", model: "gpt-4o-mini-2024-07-18" }] },
        { name: "private-llm", providers: [{ provider: "local", model: "qwen" }] },
      ],
      keys: [{ name: "team-a", key: A }],
    },
    { nativePollMs: 10 },
  );
});
afterAll(async () => {
  await proxy?.close();
  await oai?.close();
  await plain?.close();
});

const outputOf = async (id: string) =>
  (await (await proxy.sdk(A).files.content(id)).text())
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

describe("native batches: every line served by one provider with a batch API", () => {
  it("submits the batch there with the provider's model names and copies its output back", async () => {
    const a = proxy.sdk(A);
    const file = await a.files.create({ file: await toFile(Buffer.from(chatLines(4, "mini")), "in.jsonl"), purpose: "batch" });
    const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    const done = await untilFinal(a, made.id);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 4, completed: 4, failed: 0 });
    expect(oai.batches.size).toBe(1);
    expect(oai.chatModels).toHaveLength(0); // no line went through live chat
    const sent = oai.files.get(String([...oai.batches.values()][0]?.input_file_id)) ?? "";
    expect(
      sent
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).body.model),
    ).toEqual(Array(4).fill("gpt-4o-mini-2024-07-18"));
    const out = await outputOf(done.output_file_id as string);
    expect(out.map((l) => l.custom_id)).toEqual(["req-0", "req-1", "req-2", "req-3"]);
    expect(out[0].response.body.choices[0].message.content).toBe("from gpt-4o-mini-2024-07-18");
  });

  it("runs it in the router when a line's provider has no batch API", async () => {
    const a = proxy.sdk(A);
    const before = oai.batches.size;
    const text = `${chatLines(2, "mini")}\n${chatLines(2, "private-llm", 2)}`;
    const file = await a.files.create({ file: await toFile(Buffer.from(text), "in.jsonl"), purpose: "batch" });
    const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    const done = await untilFinal(a, made.id);
    expect(done.request_counts).toEqual({ total: 4, completed: 4, failed: 0 });
    expect(oai.batches.size).toBe(before);
    expect(plain.received("/chat/completions")).toHaveLength(2);
    expect((await outputOf(done.output_file_id as string)).map((l) => l.custom_id).sort()).toEqual(["req-0", "req-1", "req-2", "req-3"]);
  });
});
