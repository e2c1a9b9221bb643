import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "./helpers.js";

/**
 * Issue 27, finding 12, through the admin API of a real control plane: the stored provider key and
 * sealed headers go to a new host only when they are entered again (or the move is confirmed), "test
 * connection" never echoes the upstream's answer, and both are in the audit log.
 */
let cluster: TestCluster;
let home: MockUpstream;
let elsewhere: MockUpstream;
const KEY = "sk-stored-secret-0123456789abcdef";
const HEADER = "hdr-stored-secret-0123456789";
const admin = (method: string, path: string, body?: unknown) => cluster.admin(method, path, body);
const sent = (up: MockUpstream) => JSON.stringify(up.requests.map((r) => r.headers));

beforeAll(async () => {
  [cluster, home, elsewhere] = await Promise.all([startTestCluster("cp_secrets", 0), startMockUpstream(), startMockUpstream()]);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  await Promise.all([home?.close(), elsewhere?.close()]);
});

async function audit(id: number, action: string) {
  const r = await admin("GET", `/v1/db/audit?entity=provider&entity_id=${id}`);
  return (r.body.entries as { action: string; details: Record<string, unknown> }[]).filter((e) => e.action === action);
}

describe("provider secrets and a moved endpoint", () => {
  it("a base_url on another host needs the key (and headers) again, or confirm_new_host; the stored ones never go there unasked", async () => {
    const created = await admin("POST", "/v1/db/providers", {
      name: "moving",
      adapter: "openai-compatible",
      base_url: home.baseUrl,
      api_key: KEY,
      headers: { "x-tenant-secret": HEADER },
    });
    expect(created.status).toBe(200);
    const id = created.body.provider_id as number;

    // Moving without the secrets: refused, nothing changed, nothing sent.
    const bare = await admin("PUT", `/v1/db/providers/${id}`, { base_url: elsewhere.baseUrl });
    expect(bare.status).toBe(400);
    expect(bare.body.error).toMatchObject({ param: "api_key" });
    expect((bare.body.error as { message: string }).message).toContain(new URL(elsewhere.baseUrl).origin);
    const keyOnly = await admin("PUT", `/v1/db/providers/${id}`, { base_url: elsewhere.baseUrl, api_key: "sk-new-0123456789" });
    expect(keyOnly.status).toBe(400);
    expect(keyOnly.body.error).toMatchObject({ param: "headers" });
    expect((await admin("GET", `/v1/db/providers/${id}`)).body.official_endpoint).toBe(home.baseUrl);
    // Another path on the same host is no move.
    expect((await admin("PUT", `/v1/db/providers/${id}`, { base_url: `${home.url}/other/v1` })).status).toBe(200);
    expect((await admin("PUT", `/v1/db/providers/${id}`, { base_url: home.baseUrl })).status).toBe(200);
    expect((await admin("POST", `/v1/db/providers/${id}/test`)).body.ok).toBe(true);
    expect(sent(home)).toContain(KEY);
    expect(sent(home)).toContain(HEADER);

    // Moving with new secrets: the new host only ever gets those.
    const moved = await admin("PUT", `/v1/db/providers/${id}`, {
      base_url: elsewhere.baseUrl,
      api_key: "sk-entered-again-0123456789",
      headers: { "x-tenant-secret": "hdr-entered-again" },
    });
    expect(moved.status).toBe(200);
    expect(JSON.stringify(moved.body)).not.toContain("sk-entered-again-0123456789");
    expect((await admin("POST", `/v1/db/providers/${id}/test`)).body.ok).toBe(true);
    expect(sent(elsewhere)).toContain("sk-entered-again-0123456789");
    expect(sent(elsewhere)).toContain("hdr-entered-again");
    expect(sent(elsewhere)).not.toContain(KEY);
    expect(sent(elsewhere)).not.toContain(HEADER);
    const keys = (await admin("GET", `/v1/db/providers/${id}/keys`)).body.keys as unknown[];
    expect(keys).toHaveLength(1); // the key was replaced, not added

    // Back home by confirmation: the stored (re-entered) secrets go there, and the audit log says so.
    const confirmed = await admin("PUT", `/v1/db/providers/${id}`, { base_url: home.baseUrl, confirm_new_host: true });
    expect(confirmed.status).toBe(200);
    const updates = await audit(id, "update");
    const moves = updates.map((e) => e.details.host_change).filter(Boolean);
    expect(moves).toEqual([
      { from: new URL(elsewhere.baseUrl).origin, to: new URL(home.baseUrl).origin, secrets: "confirmed" },
      { from: new URL(home.baseUrl).origin, to: new URL(elsewhere.baseUrl).origin, secrets: "re-entered" },
    ]);
    expect(JSON.stringify(updates)).not.toContain("sk-entered-again-0123456789");
    expect(JSON.stringify(updates)).not.toContain(HEADER);
  });

  it("test connection answers a classified reason, never the upstream's body, and is audited", async () => {
    const created = await admin("POST", "/v1/db/providers", {
      name: "echo-probe",
      adapter: "openai-compatible",
      base_url: elsewhere.baseUrl,
      api_key: "sk-echo-probe-0123456789",
    });
    const id = created.body.provider_id as number;
    elsewhere.behavior.next({ status: 401, message: "internal-only: db password is hunter2" });
    const refused = await admin("POST", `/v1/db/providers/${id}/test`);
    expect(refused.body).toMatchObject({ ok: false, status: 401, error: "HTTP 401: unauthorized (check the key)" });
    expect(JSON.stringify(refused.body)).not.toContain("hunter2");
    elsewhere.behavior.next({ status: 503, message: "upstream says: secret topology 10.0.0.7" });
    const down = await admin("POST", `/v1/db/providers/${id}/test`);
    expect(down.body).toMatchObject({ ok: false, status: 503, error: "HTTP 503: upstream error" });
    expect(JSON.stringify(down.body)).not.toContain("10.0.0.7");
    const tests = await audit(id, "test_connection");
    expect(tests).toHaveLength(2);
    expect(tests[0]!.details).toMatchObject({ target: new URL(elsewhere.baseUrl).origin, ok: false, status: 503 });
    expect(JSON.stringify(tests)).not.toContain("sk-echo-probe-0123456789");
    expect(JSON.stringify(tests)).not.toContain("10.0.0.7");
  });
});
