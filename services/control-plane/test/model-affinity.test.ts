import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportConfig } from "../src/config-io/export-config.js";
import { createPrisma, type PrismaClient } from "../src/db/client.js";
import { MASTER_KEY, readPublishedTable, startTestCluster, type TestCluster, waitFor } from "./helpers.js";

/**
 * Session affinity set through the admin API reaches both proxies: a conversation keeps one of three
 * targets whichever replica serves its turns; `off` spreads it again. The export carries the setting.
 */
let ups: MockUpstream[] = [];
let cluster: TestCluster;
let prisma: PrismaClient;
let modelId = 0;

beforeAll(async () => {
  ups = await Promise.all([0, 1, 2].map(() => startMockUpstream({ promptCache: true })));
  cluster = await startTestCluster("cp_affinity", 2);
  prisma = createPrisma(cluster.databaseUrl);
  for (const [i, up] of ups.entries()) {
    const r = await cluster.admin("POST", "/v1/db/providers", {
      name: `p${i}`,
      adapter: "openai-compatible",
      base_url: up.baseUrl,
      api_key: `sk-p${i}-0001`,
    });
    expect(r.status).toBe(200);
  }
  const m = await cluster.admin("POST", "/v1/db/models", {
    name: "agent",
    provider_id: 1,
    upstream_model: "gpt-4o",
    strategy: "round_robin",
  });
  modelId = m.body.id as number;
  for (const id of [2, 3])
    expect((await cluster.admin("POST", `/v1/db/models/${modelId}/providers`, { provider_id: id, upstream_model: "gpt-4o" })).status).toBe(
      201,
    );
}, 60_000);
afterAll(async () => {
  await prisma?.$disconnect();
  await cluster?.stop();
  await Promise.all(ups.map((u) => u.close()));
});

/** Ten turns of one conversation alternating between the replicas; the providers that served them. */
async function conversation(session: string): Promise<string[]> {
  const served: string[] = [];
  const messages: { role: string; content: string }[] = [{ role: "system", content: "You are an agent." }];
  for (let n = 0; n < 10; n++) {
    messages.push({ role: "user", content: `turn ${n}` });
    const proxy = cluster.proxies[n % 2];
    const r = await fetch(`${proxy!.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": session },
      body: JSON.stringify({ model: "agent", messages }),
    });
    expect(r.status).toBe(200);
    messages.push({
      role: "assistant",
      content: ((await r.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
    });
    served.push(r.headers.get("x-router-provider") ?? "");
  }
  return served;
}

const publishedAffinity = async () =>
  (await readPublishedTable<{ models: { name: string; affinity?: string }[] }>(cluster.bucket)).models.find((m) => m.name === "agent")
    ?.affinity;

describe("session affinity through the admin API", () => {
  it("is on by default (null in the API, absent from the table) and keeps a conversation on one target on both replicas", async () => {
    const shown = await cluster.admin("GET", `/v1/db/models/${modelId}`);
    expect(shown.body.affinity).toBeNull();
    for (const p of cluster.proxies) {
      await waitFor(async () => (await fetch(`${p.url}/v1/health/models/agent`).then((r) => r.json())).total_providers === 3);
    }
    expect(new Set(await conversation("sess-a")).size).toBe(1);
  });

  it("turned off, the same conversation spreads; the table, the API and the export say so", async () => {
    const bad = await cluster.admin("PUT", `/v1/db/models/${modelId}`, { affinity: "sticky" });
    expect(bad.status).toBe(400);
    const r = await cluster.admin("PUT", `/v1/db/models/${modelId}`, { affinity: "off" });
    expect(r.status).toBe(200);
    expect(r.body.affinity).toBe("off");
    await waitFor(async () => (await publishedAffinity()) === "off");
    await waitFor(async () => new Set(await conversation("sess-b")).size > 1, 10_000, 200);
    const { yaml } = await exportConfig(prisma, { withSecrets: false, masterKey: Buffer.from(MASTER_KEY, "hex") });
    expect(yaml).toContain("affinity: off");
    await cluster.admin("PUT", `/v1/db/models/${modelId}`, { affinity: null });
    await waitFor(async () => (await publishedAffinity()) === undefined);
  });
});
