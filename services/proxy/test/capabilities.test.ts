import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

let up: MockUpstream;
let proxy: TestProxy;

beforeAll(async () => {
  up = await startMockUpstream();
  const provider = (name: string) => ({ provider: "up", model: name });
  proxy = await startTestProxy({
    providers: [{ name: "up", type: "openai-compatible", base_url: up.baseUrl, api_key: "sk-x" }],
    models: [
      { name: "text-only", capabilities: ["TEXT"], providers: [provider("text-only")] },
      { name: "vision-tools", capabilities: ["TEXT", "MULTIMODAL_IMAGE_UNDERSTANDING", "TOOLS"], providers: [provider("vt")] },
      { name: "undeclared", providers: [provider("u")] },
      { name: "embed", llm_type: "embedding", capabilities: ["TEXT"], providers: [provider("e")] },
    ],
  });
});
afterAll(async () => {
  await proxy?.close();
  await up?.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${proxy.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const image = {
  role: "user",
  content: [
    { type: "text", text: "what is this" },
    { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
  ],
};
const tools = [{ type: "function", function: { name: "f", parameters: { type: "object" } } }];

describe("capabilities", () => {
  it("refuses images and tools to a text-only model with a 400 before any upstream call", async () => {
    const before = up.requests.length;
    const r1 = await post("/v1/chat/completions", { model: "text-only", messages: [image] });
    expect(r1.status).toBe(400);
    const e1 = ((await r1.json()) as { error: { code: string; param: string; message: string } }).error;
    expect(e1).toMatchObject({ code: "capability_not_supported", param: "messages[0].content[1]" });
    expect(e1.message).toContain("MULTIMODAL_IMAGE_UNDERSTANDING");
    const r2 = await post("/v1/chat/completions", { model: "text-only", messages: [{ role: "user", content: "hi" }], tools });
    expect(r2.status).toBe(400);
    expect(((await r2.json()) as { error: { param: string } }).error.param).toBe("tools");
    // Anthropic's Messages API is checked the same way (and answers in Anthropic's envelope).
    const r3 = await post("/v1/messages", {
      model: "text-only",
      max_tokens: 10,
      messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }] }],
    });
    expect(r3.status).toBe(400);
    expect(((await r3.json()) as { type: string }).type).toBe("error");
    const r4 = await post("/v1/embeddings", { model: "embed", input: "x" });
    expect(r4.status).toBe(400);
    expect(((await r4.json()) as { error: { message: string } }).error.message).toContain("EMBEDDING");
    expect(up.requests.length).toBe(before);
  });

  it("serves what the model can do, and does not check a model that declares nothing", async () => {
    expect((await post("/v1/chat/completions", { model: "text-only", messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
    expect((await post("/v1/chat/completions", { model: "vision-tools", messages: [image], tools })).status).toBe(200);
    expect((await post("/v1/chat/completions", { model: "undeclared", messages: [image], tools })).status).toBe(200);
  });

  it("filters /v1/models by capability and lists each model's capabilities", async () => {
    const ids = async (q: string) =>
      ((await (await fetch(`${proxy.url}/v1/models${q}`)).json()) as { data: { id: string }[] }).data.map((m) => m.id);
    expect(await ids("?capability=TOOLS")).toEqual(["vision-tools"]);
    expect(await ids("?capabilities=text,multimodal_image_understanding")).toEqual(["vision-tools"]);
    expect(await ids("?capability=TEXT")).toEqual(["text-only", "vision-tools", "embed"]);
    expect((await ids("")).length).toBe(4);
    const caps = (await (await fetch(`${proxy.url}/v1/models/vision-tools/capabilities`)).json()) as {
      capabilities: { capability_name: string }[];
    };
    expect(caps.capabilities.map((c) => c.capability_name)).toEqual(["TEXT", "MULTIMODAL_IMAGE_UNDERSTANDING", "TOOLS"]);
    const one = (await (await fetch(`${proxy.url}/v1/models/text-only`)).json()) as { capabilities_count: number };
    expect(one.capabilities_count).toBe(1);
  });

  it("refuses a lower-case or malformed capability in router.yaml", async () => {
    await expect(
      startTestProxy({
        providers: [{ name: "m", type: "mock" }],
        models: [{ name: "x", capabilities: ["text"], providers: [{ provider: "m" }] }],
      }),
    ).rejects.toThrow(/upper case/);
  });
});
