import { compileConfig, parseConfig } from "@ai-router/config";
import { type AudioRerankUpstream, startAudioRerankUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportConfig } from "../src/config-io/export-config.js";
import { importConfig } from "../src/config-io/import-config.js";
import { createPrisma, type PrismaClient } from "../src/db/client.js";
import { createTestDatabase, MASTER_KEY, readPublishedTable, startTestCluster, type TestCluster, waitFor } from "./helpers.js";

/**
 * The model kinds besides chat (issue 21) through the admin API: each created with its unit price,
 * compiled into the published table, listed by the proxy with its `llm_type`, served, and carried by
 * `config:export` / `config:import` unchanged.
 */
const zero = { input_per_mtok: 0, output_per_mtok: 0 };
const KINDS = [
  { name: "whisper-1", llm_type: "transcription", upstream: "whisper-large", price: { ...zero, per_audio_minute: 0.006 } },
  { name: "tts-1", llm_type: "speech", upstream: "tts-upstream", price: { ...zero, per_mchar: 15 } },
  { name: "omni-moderation-latest", llm_type: "moderation", upstream: "omni-moderation-2024", price: zero },
  { name: "rerank-v3.5", llm_type: "rerank", upstream: "bge-reranker", price: { ...zero, per_search: 0.002 } },
  {
    name: "gpt-3.5-turbo-instruct",
    llm_type: "completion",
    upstream: "instruct-upstream",
    price: { input_per_mtok: 1.5, output_per_mtok: 2 },
  },
] as const;

interface PublishedModel {
  name: string;
  llmType: string;
  targets: { upstreamModel: string; price?: Record<string, number> }[];
}

let up: AudioRerankUpstream;
let cluster: TestCluster;
let prisma: PrismaClient;

beforeAll(async () => {
  up = await startAudioRerankUpstream();
  cluster = await startTestCluster("cp_kinds", 1);
  prisma = createPrisma(cluster.databaseUrl);
  const p = await cluster.admin("POST", "/v1/db/providers", {
    name: "audio-co",
    adapter: "openai-compatible",
    base_url: up.baseUrl,
    api_key: "sk-audio-0001",
  });
  expect(p.status).toBe(200);
}, 60_000);
afterAll(async () => {
  await prisma?.$disconnect();
  await cluster?.stop();
  await up?.close();
});

describe("model kinds besides chat through the admin API", () => {
  it("creates a model of each kind with its unit price; the table carries both, the proxy lists and serves them", async () => {
    for (const k of KINDS) {
      const m = await cluster.admin("POST", "/v1/db/models", {
        name: k.name,
        llm_type: k.llm_type,
        provider_id: 1,
        upstream_model: k.upstream,
      });
      expect(m.status, JSON.stringify(m.body)).toBe(200);
      const id = m.body.id as number;
      const link = await cluster.admin("PUT", `/v1/db/models/${id}/providers/1`, { price: k.price });
      expect(link.status, JSON.stringify(link.body)).toBe(200);
      const shown = await cluster.admin("GET", `/v1/db/models/${id}`);
      expect(shown.body.llm_type).toBe(k.llm_type);
      expect((shown.body.providers as { price: unknown }[])[0]?.price).toEqual(k.price);
    }
    // Compiled and published: every kind with its price in its own units.
    const published = async () => (await readPublishedTable<{ models: PublishedModel[] }>(cluster.bucket)).models;
    await waitFor(async () => (await published()).filter((m) => m.llmType !== "chat").length === KINDS.length);
    const models = await published();
    for (const k of KINDS) {
      const m = models.find((x) => x.name === k.name);
      expect(m?.llmType, k.name).toBe(k.llm_type);
      expect(m?.targets[0]).toMatchObject({ upstreamModel: k.upstream, price: k.price });
    }
    // Listed by the proxy with their kind.
    const proxy = cluster.proxies[0]!.url;
    await waitFor(async () => {
      const list = (await fetch(`${proxy}/v1/models`).then((r) => r.json())) as { data: { id: string; llm_type: string }[] };
      return KINDS.every((k) => list.data.some((d) => d.id === k.name && d.llm_type === k.llm_type));
    });
    // Served by the endpoint of their kind; another kind's endpoint refuses with a 400 naming the right one.
    const post = (path: string, body: unknown) =>
      fetch(`${proxy}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const rr = await post("/v1/rerank", { model: "rerank-v3.5", query: "yellow", documents: ["sky", "bananas are yellow"] });
    expect(rr.status).toBe(200);
    expect(((await rr.json()) as { results: { index: number }[] }).results[0]?.index).toBe(1);
    expect(up.requests.at(-1)?.json).toMatchObject({ model: "bge-reranker", query: "yellow" });
    const wrong = await post("/v1/audio/speech", { model: "rerank-v3.5", voice: "alloy", input: "hi" });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toMatch(/rerank model.*\/v1\/rerank/);
  });

  it("config:export writes each kind and its unit price; config:import of that file into another database gives them back", async () => {
    const key = Buffer.from(MASTER_KEY, "hex");
    const { yaml } = await exportConfig(prisma, { withSecrets: true, masterKey: key });
    const cfg = parseConfig(yaml, "exported.yaml", {});
    const kinds = (table: ReturnType<typeof compileConfig>["table"]) =>
      table.models
        .filter((m) => m.llmType !== "chat")
        .map((m) => ({ name: m.name, llmType: m.llmType, price: m.targets[0]?.price }))
        .sort((a, b) => a.name.localeCompare(b.name));
    const exported = kinds(compileConfig(cfg).table);
    expect(exported).toEqual(
      KINDS.map((k) => ({ name: k.name, llmType: k.llm_type, price: k.price })).sort((a, b) => a.name.localeCompare(b.name)),
    );
    const other = await createTestDatabase();
    const prisma2 = createPrisma(other.url);
    try {
      const summary = await importConfig(prisma2, cfg, key);
      expect(summary.models.created).toBe(KINDS.length);
      const again = await exportConfig(prisma2, { withSecrets: true, masterKey: key });
      expect(kinds(compileConfig(parseConfig(again.yaml, "again.yaml", {})).table)).toEqual(exported);
    } finally {
      await prisma2.$disconnect();
      await other.drop();
    }
  });
});
