import { parseConfig } from "@ai-router/config";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportConfig } from "../src/config-io/export-config.js";
import { importConfig } from "../src/config-io/import-config.js";
import { createPrisma, type PrismaClient } from "../src/db/client.js";
import { MASTER_KEY, readPublishedTable, startTestCluster, type TestCluster, waitFor } from "./helpers.js";

/**
 * `stream_continuation` set through the admin API reaches the proxies in the published table: a stream
 * its first target cuts after 5 events is finished by the Anthropic target, and a model with it off
 * breaks as before. Export and import carry it.
 */
const ASK = "abcdefghijklmnopqrstuvwxy and then the rest of the answer goes on to the very end.";
let cut: MockUpstream;
let claude: MockUpstream;
let cluster: TestCluster;
let prisma: PrismaClient;
let modelId = 0;

beforeAll(async () => {
  [cut, claude] = await Promise.all([startMockUpstream(), startMockUpstream()]);
  cluster = await startTestCluster("cp_continuation", 1);
  prisma = createPrisma(cluster.databaseUrl);
}, 60_000);
afterAll(async () => {
  await prisma?.$disconnect();
  await cluster?.stop();
  await Promise.all([cut?.close(), claude?.close()]);
});

async function streamText(proxyUrl: string): Promise<string> {
  const client = new OpenAI({ baseURL: `${proxyUrl}/v1`, apiKey: "unused", maxRetries: 0 });
  const s = await client.chat.completions.create({ model: "cont", stream: true, messages: [{ role: "user", content: ASK }] });
  let text = "";
  for await (const c of s) text += c.choices[0]?.delta.content ?? "";
  return text;
}

describe("stream_continuation through the control plane", () => {
  it("is set by the admin API, published, and a cut stream finishes on the Anthropic target", async () => {
    const a = await cluster.admin("POST", "/v1/db/providers", {
      name: "cut",
      adapter: "openai-compatible",
      base_url: cut.baseUrl,
      api_key: "sk-cut-0001",
    });
    const b = await cluster.admin("POST", "/v1/db/providers", {
      name: "claude",
      adapter: "anthropic",
      base_url: claude.url,
      api_key: "sk-ant-0001",
    });
    const created = await cluster.admin("POST", "/v1/db/models", {
      name: "cont",
      provider_id: a.body.provider_id,
      upstream_model: "first",
      strategy: "fallback",
      stream_continuation: true,
    });
    expect(created.status).toBe(200);
    modelId = created.body.id as number;
    await cluster.admin("POST", `/v1/db/models/${modelId}/providers`, {
      provider_id: b.body.provider_id,
      upstream_model: "second",
      priority: 1,
    });
    expect((await cluster.admin("GET", `/v1/db/models/${modelId}`)).body.stream_continuation).toBe(true);
    await waitFor(async () => {
      const t = await readPublishedTable<{ models: { name: string; streamContinuation?: boolean; targets: unknown[] }[] }>(cluster.bucket);
      const m = t.models.find((x) => x.name === "cont");
      return m?.streamContinuation === true && m.targets.length === 2;
    });
    const [proxy] = cluster.proxies;
    await waitFor(
      async () => (await fetch(`${proxy!.url}/v1/models/cont/capabilities`).then((r) => r.json())).stream_continuation?.enabled === true,
    );
    cut.behavior.fallback = { cutAfterChunks: 5 };
    expect(await streamText(proxy!.url)).toBe(`Echo: ${ASK}`);
    expect(claude.received("/messages")).toHaveLength(1);
  });

  it("round-trips through export and import", async () => {
    const { yaml } = await exportConfig(prisma, { withSecrets: false, masterKey: Buffer.from(MASTER_KEY, "hex") });
    expect(yaml).toMatch(/stream_continuation: true/);
    await prisma.model.update({ where: { id: modelId }, data: { streamContinuation: false } });
    await importConfig(
      prisma,
      parseConfig(yaml, "export", { CUT_API_KEY: "sk-cut-0001", CLAUDE_API_KEY: "sk-ant-0001" }),
      Buffer.from(MASTER_KEY, "hex"),
    );
    expect((await prisma.model.findUniqueOrThrow({ where: { id: modelId } })).streamContinuation).toBe(true);
  });

  it("turned off by the admin API, a cut stream breaks as before", async () => {
    const r = await cluster.admin("PUT", `/v1/db/models/${modelId}`, { stream_continuation: false });
    expect(r.status).toBe(200);
    const [proxy] = cluster.proxies;
    await waitFor(
      async () => (await fetch(`${proxy!.url}/v1/models/cont/capabilities`).then((x) => x.json())).stream_continuation?.enabled === false,
    );
    const before = claude.received("/messages").length;
    await expect(streamText(proxy!.url)).rejects.toThrow();
    expect(claude.received("/messages")).toHaveLength(before);
  });
});
