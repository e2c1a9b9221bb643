import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { ClientKeyCreated, createSigner, decryptSecret, ModelOut, ProviderOut, parseMasterKey, RoutingTable } from "@ai-router/contracts";
import { createLogger } from "@ai-router/logger";
import { startMockUpstream } from "@ai-router/testing";
import { Kvm } from "@nats-io/kv";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminOpenApi } from "../src/api/admin-api.js";
import { createApp } from "../src/app.js";
import { compileDatabase } from "../src/compile/compile-db.js";
import { createPrisma, type PrismaClient } from "../src/db/client.js";
import { sealStoredHeaders } from "../src/db/sealed-headers.js";
import { parseEnv, tableSettings } from "../src/env.js";
import { NatsLink } from "../src/nats/nats-link.js";
import { TablePublisher } from "../src/nats/table-publisher.js";
import { ADMIN_TOKEN, createTestDatabase, MASTER_KEY, NATS_URL, readPublishedTable, uniqueName } from "./helpers.js";

const key = parseMasterKey(MASTER_KEY);
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const OPENAI_KEY = "sk-proj-SECRETSECRETSECRET-1234";
let logs = "";
const logger = createLogger({
  name: "cp-test",
  level: "debug",
  sync: true,
  destination: new Writable({
    write(chunk, _enc, cb) {
      logs += chunk;
      cb();
    },
  }),
});

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let prisma: PrismaClient;
let link: NatsLink;
let bucket: string;
let app: ReturnType<typeof createApp>;

async function publishedTable(): Promise<RoutingTable> {
  // As a proxy sees it: the keys from their own bucket, the models from chunks.
  return RoutingTable.parse(await readPublishedTable(bucket));
}

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  bucket = uniqueName("cp_api");
  link = new NatsLink({ url: NATS_URL, bucket, logger, name: "cp-test" });
  await link.bucket(10_000);
  const publisher = new TablePublisher(prisma, link, logger, createSigner(key), bucket);
  // Wired as the control plane wires it: a key change publishes that key's entry.
  app = createApp({
    prisma,
    logger,
    masterKey: key,
    adminToken: ADMIN_TOKEN,
    publish: (r) => publisher.publish(r),
    publishKey: (hash, r) => publisher.publishKey(hash, r),
  });
});

afterAll(async () => {
  const nc = link?.connection;
  if (nc)
    await new Kvm(nc)
      .open(bucket)
      .then((kv) => kv.destroy())
      .catch(() => {});
  await link?.close();
  await prisma?.$disconnect();
  await db?.drop();
});

describe("environment", () => {
  const base = { ROUTER_MASTER_KEY: MASTER_KEY };
  it("refuses to start without an admin token unless in dev mode", () => {
    const r = parseEnv(base);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.join()).toMatch(/ROUTER_ADMIN_TOKEN is required/);
    expect(parseEnv({ ...base, ROUTER_DEV_MODE: "1" }).ok).toBe(true);
    expect(parseEnv({ ...base, ROUTER_ADMIN_TOKEN: ADMIN_TOKEN }).ok).toBe(true);
  });
  it("refuses the Kubernetes example's placeholder token and other predictable ones", () => {
    for (const t of ["replace-with-a-long-random-token", "changeme-changeme-changeme", "aaaaaaaaaaaaaaaaaaaa", "1212121212121212"]) {
      const r = parseEnv({ ...base, ROUTER_ADMIN_TOKEN: t });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.problems.join()).toMatch(/placeholder or too predictable/);
      expect(!r.ok && r.problems.join()).not.toContain(t);
    }
  });
  it("accepts the master key as hex or base64 of 32 bytes, nothing else, without echoing it", () => {
    const b64 = Buffer.from(MASTER_KEY, "hex").toString("base64");
    expect(parseEnv({ ROUTER_MASTER_KEY: b64, ROUTER_ADMIN_TOKEN: ADMIN_TOKEN }).ok).toBe(true);
    const bad = parseEnv({ ROUTER_MASTER_KEY: "too-short-secret-value", ROUTER_ADMIN_TOKEN: ADMIN_TOKEN });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems.join()).toMatch(/ROUTER_MASTER_KEY must be 32 bytes/);
    expect(!bad.ok && bad.problems.join()).not.toContain("too-short-secret-value");
  });
});

describe("proxy settings", () => {
  const base = { ROUTER_MASTER_KEY: MASTER_KEY, ROUTER_ADMIN_TOKEN: ADMIN_TOKEN };
  it("publishes the proxies' settings from ROUTER_* variables, and names a bad one", async () => {
    const r = parseEnv({ ...base, ROUTER_MAX_ATTEMPTS: "5", ROUTER_COOLDOWN_MS: "1000", ROUTER_PROBE_FAILURE_THRESHOLD: "4" });
    if (!r.ok) throw new Error(r.problems.join());
    const { table } = await compileDatabase(prisma, 1, tableSettings(r.env));
    expect(RoutingTable.parse(table).settings).toEqual({
      maxBodyBytes: 10 * 1024 * 1024,
      maxAudioBytes: 25 * 1024 * 1024,
      maxAttempts: 5,
      failureThreshold: 3,
      cooldownMs: 1000,
      probeFailureThreshold: 4,
    });
    const bad = parseEnv({ ...base, ROUTER_MAX_ATTEMPTS: "0" });
    expect(!bad.ok && bad.problems.join()).toMatch(/^ROUTER_MAX_ATTEMPTS: /);
  });
});

describe("admin auth", () => {
  it("answers 401 in OpenAI's envelope without a token or with a wrong one", async () => {
    const none = await request(app).get("/v1/db/models");
    expect(none.status).toBe(401);
    expect(none.body.error).toMatchObject({ type: "authentication_error", code: "missing_admin_token" });
    const wrong = await request(app).get("/v1/db/models").set("authorization", `Bearer ${ADMIN_TOKEN}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("invalid_admin_token");
    const ok = await request(app).get("/v1/db/models").set(auth);
    expect(ok.status).toBe(200);
  });
  it("leaves health, the OpenAPI document and the docs public", async () => {
    expect((await request(app).get("/health")).status).toBe(200);
    expect((await request(app).get("/openapi.json")).status).toBe(200);
    expect((await request(app).get("/docs")).status).toBe(200);
  });
});

describe("the seed README's examples", () => {
  it("POST /v1/db/providers with api_key and base_url creates an openai provider with the key sealed", async () => {
    const r = await request(app)
      .post("/v1/db/providers")
      .set(auth)
      .send({ name: "OpenAI", api_key: OPENAI_KEY, base_url: "https://api.openai.com/v1" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ message: "Provider created successfully", provider_id: 1, provider_name: "OpenAI" });
    expect(r.body.api_keys[0].masked).toBe("sk-...1234");
    expect(JSON.stringify(r.body)).not.toContain("SECRET");
    const row = await prisma.providerKey.findFirstOrThrow({ where: { providerId: 1 } });
    expect(row.secret.startsWith("enc:v1:")).toBe(true);
    expect(row.secret).not.toContain("SECRET");
    expect(decryptSecret(row.secret, key)).toBe(OPENAI_KEY);
    const p = ProviderOut.parse((await request(app).get("/v1/db/providers/1").set(auth)).body);
    expect(p).toMatchObject({ adapter: "openai", base_url: "https://api.openai.com/v1", type: "PUBLIC_CLOUD" });
  });

  it("POST /v1/db/models with a provider answers exactly the seed's shape", async () => {
    const r = await request(app).post("/v1/db/models").set(auth).send({
      name: "gpt-4",
      llm_type: "chat",
      description: "GPT-4 模型",
      provider_id: 1,
      provider_weight: 10,
      is_provider_preferred: true,
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      message: "Model created successfully",
      id: 1,
      name: "gpt-4",
      provider_info: { provider_id: 1, provider_name: "OpenAI", weight: 10, is_preferred: true },
    });
  });

  it("POST /v1/db/models/ (trailing slash) without a provider answers without provider_info", async () => {
    const r = await request(app)
      .post("/v1/db/models/")
      .set(auth)
      .send({ name: "claude-3", llm_type: "chat", description: "Claude-3 模型" });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ message: "Model created successfully", id: 2, name: "claude-3" });
  });

  it("accepts the original's llm_type PUBLIC/PRIVATE as a chat model's visibility", async () => {
    const r = await request(app).post("/v1/db/models").set(auth).send({ name: "private-llm", llm_type: "PRIVATE", is_enabled: false });
    expect(r.status).toBe(200);
    const m = ModelOut.parse((await request(app).get(`/v1/db/models/${r.body.id}/`).set(auth)).body);
    expect(m).toMatchObject({ llm_type: "chat", visibility: "PRIVATE", is_enabled: false });
  });

  it("POST /v1/stats/refresh and /v1/models/clear-cache answer the seed's fields", async () => {
    const refresh = await request(app).post("/v1/stats/refresh").set(auth);
    expect(refresh.status).toBe(200);
    expect(refresh.body).toMatchObject({ models_count: 1, published: true });
    expect(typeof refresh.body.message).toBe("string");
    const clear = await request(app).post("/v1/models/clear-cache/").set(auth);
    expect(clear.status).toBe(200);
    expect(clear.body).toMatchObject({ message: "Model cache cleared" });
    expect(typeof clear.body.timestamp).toBe("number");
    expect(clear.body.revision).toBeGreaterThan(refresh.body.revision);
  });
});

describe("validation and errors", () => {
  it("names an unknown field (strict bodies) with a 400", async () => {
    const r = await request(app).post("/v1/db/models").set(auth).send({ name: "x1", bogus: 1 });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_request", param: "bogus" });
  });
  it("names a field of the wrong type", async () => {
    const r = await request(app).post("/v1/db/models").set(auth).send({ name: "x2", provider_weight: -1 });
    expect(r.status).toBe(400);
    expect(r.body.error.param).toBe("provider_weight");
    const t = await request(app).post("/v1/db/providers").set(auth).send({ name: "bad", base_url: "ftp://x" });
    expect(t.status).toBe(400);
    expect(t.body.error.param).toBe("base_url");
  });
  it("answers invalid JSON with 400 invalid_json", async () => {
    const r = await request(app).post("/v1/db/models").set(auth).set("content-type", "application/json").send("{nope");
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("invalid_json");
  });
  it("answers a non-numeric id with 400 and an unknown one with 404", async () => {
    expect((await request(app).get("/v1/db/models/abc").set(auth)).status).toBe(400);
    const r = await request(app).get("/v1/db/models/999").set(auth);
    expect(r.status).toBe(404);
    expect(r.body.error.type).toBe("not_found_error");
  });
  it("answers duplicates with 409", async () => {
    const m = await request(app).post("/v1/db/models").set(auth).send({ name: "gpt-4" });
    expect(m.status).toBe(409);
    expect(m.body.error).toMatchObject({ code: "conflict", param: "name" });
    expect((await request(app).post("/v1/db/providers").set(auth).send({ name: "OpenAI" })).status).toBe(409);
  });
  it("answers a missing provider with 404 and an unknown strategy with 400", async () => {
    expect((await request(app).post("/v1/db/models").set(auth).send({ name: "x3", provider_id: 42 })).status).toBe(404);
    const s = await request(app).post("/v1/db/models").set(auth).send({ name: "x4", strategy: "pareto_magic" });
    expect(s.status).toBe(400);
    expect(s.body.error.param).toBe("strategy");
    expect(s.body.error.message).toMatch(/unknown strategy/);
  });
  it("answers unknown paths with a 404 envelope", async () => {
    const r = await request(app).get("/v1/db/nothing").set(auth);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe("unknown_url");
  });
});

describe("providers and keys", () => {
  let pid: number;
  it("creates, lists, updates (partially) a provider and publishes it", async () => {
    const r = await request(app)
      .post("/v1/db/providers/")
      .set(auth)
      .send({ name: "local", adapter: "mock", provider_type: "PRIVATE", headers: { "x-team": "a", "x-api-key": "hdr-secret-9876" } });
    expect(r.status).toBe(200);
    pid = r.body.provider_id;
    const list = await request(app).get("/v1/db/providers").set(auth);
    expect(list.body.providers.map((p: ProviderOut) => p.name)).toEqual(["OpenAI", "local"]);
    const local = list.body.providers[1] as ProviderOut;
    expect(local.headers).toEqual({ "x-team": "a", "x-api-key": "hdr-...9876" });
    const u = await request(app).put(`/v1/db/providers/${pid}`).set(auth).send({ timeout_ms: 1234, description: "in-process" });
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ timeout_ms: 1234, description: "in-process", provider_type: "PRIVATE", adapter: "mock" });
    expect(Number(u.headers["x-router-revision"])).toBe((await publishedTable()).revision);
    expect((await publishedTable()).providers.find((p) => p.name === "local")?.timeoutMs).toBe(1234);
  });

  it("seals header values like keys: in the database and the published table; answers mask credentials; old plaintext rows are sealed", async () => {
    const row = await prisma.provider.findUniqueOrThrow({ where: { id: pid } });
    const stored = row.headers as Record<string, string>;
    expect(Object.values(stored).every((v) => v.startsWith("enc:v1:"))).toBe(true);
    expect(JSON.stringify(stored)).not.toContain("hdr-secret-9876");
    const published = (await publishedTable()).providers.find((p) => p.name === "local")!;
    expect(JSON.stringify(published.headers)).not.toContain("hdr-secret-9876");
    expect(decryptSecret(published.headers["x-api-key"]!, key)).toBe("hdr-secret-9876");
    expect(decryptSecret(published.headers["x-team"]!, key)).toBe("a");
    // A PUT with new headers seals them too.
    await request(app)
      .put(`/v1/db/providers/${pid}`)
      .set(auth)
      .send({ headers: { "x-team": "b", "x-api-key": "hdr-secret-9876" } });
    const updated = (await prisma.provider.findUniqueOrThrow({ where: { id: pid } })).headers as Record<string, string>;
    expect(decryptSecret(updated["x-team"]!, key)).toBe("b");
    expect(JSON.stringify(updated)).not.toContain("hdr-secret-9876");
    // A row written in plaintext by an older release is sealed at start-up (before the first publish).
    await prisma.provider.update({ where: { id: pid }, data: { headers: { "x-team": "a", "x-api-key": "hdr-secret-9876" } } });
    expect(await sealStoredHeaders(prisma, key)).toBe(1);
    expect(await sealStoredHeaders(prisma, key)).toBe(0);
    const resealed = (await prisma.provider.findUniqueOrThrow({ where: { id: pid } })).headers as Record<string, string>;
    expect(JSON.stringify(resealed)).not.toContain("hdr-secret-9876");
    expect((await request(app).get(`/v1/db/providers/${pid}`).set(auth)).body.headers).toEqual({
      "x-team": "a",
      "x-api-key": "hdr-...9876",
    });
  });

  it("the connection test sends the provider's header values opened, as a proxy would, never their sealed form", async () => {
    const up = await startMockUpstream();
    try {
      const r = await request(app)
        .post("/v1/db/providers")
        .set(auth)
        .send({
          name: "hdr-probe",
          adapter: "openai-compatible",
          base_url: up.baseUrl,
          api_key: "sk-probe-key-0123456789",
          headers: { "x-custom-token": "hdr-token-4321" },
        });
      expect(r.status).toBe(200);
      const t = await request(app).post(`/v1/db/providers/${r.body.provider_id}/test`).set(auth);
      expect(t.status).toBe(200);
      expect(t.body).toMatchObject({ provider: "hdr-probe", ok: true, status: 200, request: `GET ${up.baseUrl}/models` });
      expect(up.requests).toHaveLength(1);
      expect(up.requests[0]!.headers["x-custom-token"]).toBe("hdr-token-4321");
      expect(up.requests[0]!.headers.authorization).toBe("Bearer sk-probe-key-0123456789");
      await request(app).delete(`/v1/db/providers/${r.body.provider_id}`).set(auth);
    } finally {
      await up.close();
    }
  });

  it("adds, rotates, disables and removes provider keys; tables carry them sealed; audit rows are masked", async () => {
    const add = await request(app).post("/v1/db/providers/1/keys").set(auth).send({ api_key: "sk-second-key-abcd", name: "backup" });
    expect(add.status).toBe(201);
    expect(add.body).toMatchObject({ masked: "sk-...abcd", name: "backup", is_enabled: true });
    let t = await publishedTable();
    let keys = t.providers.find((p) => p.name === "OpenAI")!.apiKeys;
    expect(keys).toHaveLength(2);
    expect(keys.every((k) => k.startsWith("enc:v1:"))).toBe(true);
    expect(keys.map((k) => decryptSecret(k, key))).toEqual([OPENAI_KEY, "sk-second-key-abcd"]);

    const rot = await request(app).post(`/v1/db/providers/1/keys/${add.body.id}/rotate`).set(auth).send({ api_key: "sk-rotated-key-wxyz" });
    expect(rot.status).toBe(200);
    expect(rot.body).toMatchObject({ id: add.body.id, masked: "sk-...wxyz" });
    expect(rot.body.rotated_at).not.toBeNull();
    t = await publishedTable();
    keys = t.providers.find((p) => p.name === "OpenAI")!.apiKeys;
    expect(keys.map((k) => decryptSecret(k, key))).toEqual([OPENAI_KEY, "sk-rotated-key-wxyz"]);

    const off = await request(app).put("/v1/db/providers/1/keys/1").set(auth).send({ is_enabled: false });
    expect(off.status).toBe(200);
    keys = (await publishedTable()).providers.find((p) => p.name === "OpenAI")!.apiKeys;
    expect(keys.map((k) => decryptSecret(k, key))).toEqual(["sk-rotated-key-wxyz"]);

    const list = await request(app).get("/v1/db/providers/1/keys").set(auth);
    expect(list.body.keys.map((k: { masked: string }) => k.masked)).toEqual(["sk-...1234", "sk-...wxyz"]);
    expect((await request(app).delete(`/v1/db/providers/1/keys/${add.body.id}`).set(auth)).status).toBe(200);
    expect((await request(app).delete(`/v1/db/providers/1/keys/${add.body.id}`).set(auth)).status).toBe(404);
    // OpenAI needs a key: with its only key disabled the provider (and gpt-4) leave the table, with a warning.
    const refresh = await request(app).post("/v1/stats/refresh").set(auth);
    expect(refresh.body.warnings.join()).toMatch(/provider "OpenAI" left out: no enabled API key/);
    expect((await publishedTable()).models.map((m) => m.name)).not.toContain("gpt-4");
    await request(app).put("/v1/db/providers/1/keys/1").set(auth).send({ is_enabled: true }).expect(200);

    const audit = await request(app).get("/v1/db/audit?entity=provider&entity_id=1").set(auth);
    const actions = audit.body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["create", "add_key", "rotate_key", "update_key", "remove_key"]));
    const rotation = audit.body.entries.find((e: { action: string }) => e.action === "rotate_key");
    expect(rotation.details).toMatchObject({ from: "sk-...abcd", to: "sk-...wxyz" });
    const everything = JSON.stringify(await prisma.auditLog.findMany());
    for (const secret of [OPENAI_KEY, "sk-second-key-abcd", "sk-rotated-key-wxyz"]) expect(everything).not.toContain(secret);
  });

  it("refuses to delete a linked provider (409), then deletes it once unlinked", async () => {
    await request(app).post("/v1/db/models").set(auth).send({ name: "local-chat", provider_id: pid, upstream_model: "mock-1" }).expect(200);
    const r = await request(app).delete(`/v1/db/providers/${pid}`).set(auth);
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/local-chat/);
    const m = (await request(app).get("/v1/db/models").set(auth)).body.models.find((x: ModelOut) => x.name === "local-chat");
    expect((await request(app).delete(`/v1/db/models/${m.id}/providers/${pid}`).set(auth)).status).toBe(200);
    expect((await request(app).delete(`/v1/db/providers/${pid}/`).set(auth)).status).toBe(200);
    expect((await request(app).get(`/v1/db/providers/${pid}`).set(auth)).status).toBe(404);
    expect((await request(app).delete(`/v1/db/models/${m.id}`).set(auth)).status).toBe(200);
  });
});

describe("models and links", () => {
  it("links, updates (shielding, price, priority) and unlinks providers; the table follows", async () => {
    const p = await request(app).post("/v1/db/providers").set(auth).send({ name: "mock-a", adapter: "mock" });
    const q = await request(app).post("/v1/db/providers").set(auth).send({ name: "mock-b", adapter: "mock" });
    const m = await request(app)
      .post("/v1/db/models")
      .set(auth)
      .send({ name: "demo", provider_id: p.body.provider_id, strategy: "round_robin" });
    const link = await request(app)
      .post(`/v1/db/models/${m.body.id}/providers`)
      .set(auth)
      .send({
        provider_id: q.body.provider_id,
        weight: 3,
        priority: 1,
        health_check: false,
        price: { input_per_mtok: 1, output_per_mtok: 2 },
        upstream_model: "mock-2",
      });
    expect(link.status).toBe(201);
    expect(link.body).toMatchObject({ provider_name: "mock-b", weight: 3, priority: 1, health_check: false, upstream_model: "mock-2" });
    expect(
      (await request(app).post(`/v1/db/models/${m.body.id}/providers`).set(auth).send({ provider_id: q.body.provider_id })).status,
    ).toBe(409);
    let t = (await publishedTable()).models.find((x) => x.name === "demo")!;
    expect(t.strategy).toBe("round_robin");
    expect(t.targets).toEqual([
      expect.objectContaining({ provider: "mock-a", upstreamModel: "demo", healthCheck: true, priority: 0 }),
      expect.objectContaining({
        provider: "mock-b",
        upstreamModel: "mock-2",
        healthCheck: false,
        priority: 1,
        price: { input_per_mtok: 1, output_per_mtok: 2 },
      }),
    ]);
    const u = await request(app)
      .put(`/v1/db/models/${m.body.id}/providers/${q.body.provider_id}`)
      .set(auth)
      .send({ price: null, weight: 7 });
    expect(u.body).toMatchObject({ price: null, weight: 7 });
    const upd = await request(app)
      .put(`/v1/db/models/${m.body.id}`)
      .set(auth)
      .send({ description: "demo model", params: { temperature: 0.2 } });
    expect(upd.status).toBe(200);
    expect(upd.body.providers).toHaveLength(2);
    t = (await publishedTable()).models.find((x) => x.name === "demo")!;
    expect(t.description).toBe("demo model");
    expect(t.targets[1]).toMatchObject({ weight: 7, params: { temperature: 0.2 } });
    expect(t.targets[1]?.price).toBeUndefined();
    expect((await request(app).get(`/v1/db/models/${m.body.id}/providers`).set(auth)).body.providers).toHaveLength(2);
    expect((await request(app).delete(`/v1/db/models/${m.body.id}/providers/${q.body.provider_id}`).set(auth)).status).toBe(200);
    expect(
      (await request(app).put(`/v1/db/models/${m.body.id}/providers/${q.body.provider_id}`).set(auth).send({ weight: 1 })).status,
    ).toBe(404);
    const off = await request(app).put(`/v1/db/models/${m.body.id}`).set(auth).send({ is_enabled: false });
    expect(off.body.is_enabled).toBe(false);
    expect((await publishedTable()).models.map((x) => x.name)).not.toContain("demo");
  });
});

describe("client keys", () => {
  it("shows the key once, stores only its hash, publishes it, and keeps auth on when revoked", async () => {
    const c = await request(app)
      .post("/v1/db/keys")
      .set(auth)
      .send({ name: "team-a", models: ["gpt-4"], rpm_limit: 60 });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    const created = ClientKeyCreated.parse(c.body);
    expect(created.key).toMatch(/^sk-router-/);
    const row = await prisma.clientKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.hash).toBe(createHash("sha256").update(created.key).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(created.key);
    const get = await request(app).get(`/v1/db/keys/${created.id}`).set(auth);
    expect(get.body.key).toBeUndefined();
    expect(get.body).toMatchObject({ name: "team-a", models: ["gpt-4"], rpm_limit: 60, revoked: false });
    expect(JSON.stringify((await request(app).get("/v1/db/keys/").set(auth)).body)).not.toContain(created.key);
    let t = await publishedTable();
    expect(t.clientKeys).toEqual([{ id: String(row.id), name: "team-a", sha256: row.hash, models: ["gpt-4"], rpmLimit: 60 }]);

    expect(
      (
        await request(app)
          .post("/v1/db/keys")
          .set(auth)
          .send({ name: "bad", models: ["nope"] })
      ).body.error.param,
    ).toBe("models");
    const rev = await request(app).post(`/v1/db/keys/${created.id}/revoke`).set(auth);
    expect(rev.body.revoked).toBe(true);
    t = await publishedTable();
    expect(t.clientKeys).toHaveLength(1);
    expect(t.clientKeys[0]!.expiresAt).toBeLessThanOrEqual(Date.now());
    const un = await request(app).put(`/v1/db/keys/${created.id}`).set(auth).send({ revoked: false, expires_at: "2099-01-01T00:00:00Z" });
    expect(un.body).toMatchObject({ revoked: false, expires_at: "2099-01-01T00:00:00.000Z" });
    expect((await publishedTable()).clientKeys[0]!.expiresAt).toBe(Date.parse("2099-01-01T00:00:00Z"));
    expect((await request(app).delete(`/v1/db/keys/${created.id}`).set(auth)).status).toBe(200);
    expect((await request(app).get(`/v1/db/keys/${created.id}`).set(auth)).status).toBe(404);
  });
});

describe("audit log", () => {
  it("records who changed what, newest first", async () => {
    await request(app).post("/v1/db/models").set(auth).set("x-admin-actor", "alice@example.com").send({ name: "audited" }).expect(200);
    const r = await request(app).get("/v1/db/audit?limit=1").set(auth);
    expect(r.body.entries).toHaveLength(1);
    expect(r.body.entries[0]).toMatchObject({
      actor: "admin:alice@example.com",
      action: "create",
      entity: "model",
      details: { name: "audited" },
    });
    expect((await request(app).get("/v1/db/audit?limit=0").set(auth)).status).toBe(400);
  });
});

describe("OpenAPI and docs", () => {
  it("documents every admin route with the request schemas", async () => {
    const doc = (await request(app).get("/openapi.json")).body;
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of [
      "/v1/db/providers",
      "/v1/db/providers/{id}/keys/{keyId}/rotate",
      "/v1/db/models",
      "/v1/db/models/{id}/providers",
      "/v1/db/keys",
      "/v1/stats/refresh",
      "/v1/models/clear-cache",
    ])
      expect(Object.keys(doc.paths)).toContain(p);
    const body = doc.paths["/v1/db/models"].post.requestBody.content["application/json"].schema;
    expect(body.properties).toHaveProperty("provider_weight");
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(["name"]);
  });
  it("serves the document the committed contract (openapi/admin.v1.json) is generated from", async () => {
    expect((await request(app).get("/openapi.json")).body).toEqual(JSON.parse(JSON.stringify(adminOpenApi())));
  });
  it("serves Swagger UI and its assets locally", async () => {
    const page = await request(app).get("/docs/");
    expect(page.text).toContain("/docs/swagger-ui-bundle.js");
    const js = await request(app).get("/docs/swagger-ui-bundle.js");
    expect(js.status).toBe(200);
    expect(js.text.length).toBeGreaterThan(100_000);
  });
});

describe("secrets", () => {
  it("never logs a provider key", () => {
    expect(logs.length).toBeGreaterThan(0);
    for (const s of [OPENAI_KEY, "sk-second-key-abcd", "sk-rotated-key-wxyz", "hdr-secret-9876"]) expect(logs).not.toContain(s);
  });
});
