import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, startTestCluster, type TestCluster, waitFor } from "./helpers.js";

/** Stored responses in cluster mode live in Redis: any replica continues a conversation another began. */
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster("cp_responses", 2, {
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    ROUTER_RESPONSES_TTL_S: "600",
  });
  await cluster.admin("POST", "/v1/db/providers", { name: "local", adapter: "mock" });
  await cluster.admin("POST", "/v1/db/models", { name: "demo", provider_id: 1, upstream_model: "mock-1" });
  await Promise.all(cluster.proxies.map((p) => waitFor(async () => (await chat(p.url, "demo")) === 200, 10_000)));
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("Responses API in cluster mode", () => {
  it("a response stored through one proxy is retrieved, continued and deleted through another", async () => {
    const [a, b] = cluster.proxies.map((p) => new OpenAI({ baseURL: `${p.url}/v1`, apiKey: "unused", maxRetries: 0 }));
    const first = await a!.responses.create({ model: "demo", input: "remember the word kiwi" });
    expect(first.output_text).toContain("kiwi");
    const got = await b!.responses.retrieve(first.id);
    expect(got.output_text).toBe(first.output_text);
    const second = await b!.responses.create({ model: "demo", previous_response_id: first.id, input: "and now?" });
    expect(second.status).toBe("completed");
    const items = await a!.responses.inputItems.list(second.id);
    expect(items.data[0]).toMatchObject({ type: "message", role: "user" });
    await a!.responses.delete(first.id);
    expect(await b!.responses.retrieve(first.id).catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
