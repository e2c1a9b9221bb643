import { existsSync } from "node:fs";
import { join } from "node:path";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestRecord } from "../src/record/request-record.js";
import { openAIConfig, published } from "./harness.js";
import { chatLines, type OfflineProxy, startOfflineProxy, untilFinal } from "./offline-setup.js";

const A = "sk-team-a-batch-1111111111";
const B = "sk-team-b-batch-2222222222";
let up: MockUpstream;
let proxy: OfflineProxy;
const records: RequestRecord[] = [];

beforeAll(async () => {
  up = await startMockUpstream();
  const cfg = openAIConfig([up.baseUrl], {
    keys: [
      { name: "team-a", key: A },
      { name: "team-b", key: B },
    ],
  });
  (cfg.models as unknown[]).push({
    name: "embed",
    llm_type: "embedding",
    providers: [{ provider: "up0", model: "text-embedding-3-small" }],
  });
  proxy = await startOfflineProxy(cfg, { concurrency: 4 });
  proxy.proxy.onRequestFinished((r) => {
    records.push(r);
  });
});
afterAll(async () => {
  await proxy?.close();
  await up?.close();
});

const lines = (objs: object[]) => objs.map((o) => JSON.stringify(o)).join("\n");

describe("batches run by the router (a chat-only upstream without a batch API)", () => {
  it("runs every line through the pipeline and writes OpenAI's output and error files", async () => {
    const a = proxy.sdk(A);
    const text = `${chatLines(5)}\n${lines([
      {
        custom_id: "unknown-model",
        method: "POST",
        url: "/v1/chat/completions",
        body: { model: "no-such-model", messages: [{ role: "user", content: "hi" }] },
      },
      { custom_id: "other-endpoint", method: "POST", url: "/v1/embeddings", body: { model: "embed", input: "x" } },
    ])}`;
    const file = await a.files.create({ file: await toFile(Buffer.from(text), "in.jsonl"), purpose: "batch" });
    const created = await a.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { job: "t1" },
    });
    expect(created).toMatchObject({ object: "batch", status: "validating", input_file_id: file.id, metadata: { job: "t1" } });
    const done = await untilFinal(a, created.id);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 7, completed: 5, failed: 2 });
    expect(done.in_progress_at).not.toBeNull();
    expect(done.finalizing_at).not.toBeNull();
    expect(done.completed_at).not.toBeNull();

    const out = (await (await a.files.content(done.output_file_id as string)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(out.map((l) => l.custom_id).sort()).toEqual(["req-0", "req-1", "req-2", "req-3", "req-4"]);
    const first = out.find((l) => l.custom_id === "req-2");
    expect(first.response.status_code).toBe(200);
    expect(first.response.body.choices[0].message.content).toBe("Echo: line 2");
    expect(first.error).toBeNull();
    expect(first.id).toMatch(/^batch_req_/);

    const errs = (await (await a.files.content(done.error_file_id as string)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const byId = Object.fromEntries(errs.map((l) => [l.custom_id, l]));
    expect(byId["unknown-model"].response.status_code).toBe(404);
    expect(byId["other-endpoint"].error.code).toBe("invalid_request");
    expect((await a.files.retrieve(done.output_file_id as string)).purpose).toBe("batch_output");
    // The working results are gone once the files hold them.
    expect(existsSync(join(proxy.dir, "batches", `${created.id}.results.jsonl`))).toBe(false);
    expect(existsSync(join(proxy.dir, "batches", `${created.id}.json`))).toBe(true);

    // One record per line the pipeline served, marked with the batch, charged to the owning key (the
    // unknown model is refused before routing: no usage; the other endpoint's line never left the runner).
    const mine = records.filter((r) => r.batchId === created.id);
    expect(mine).toHaveLength(5);
    expect(mine.every((r) => r.key === "team-a")).toBe(true);
    const rec = published(mine.find((r) => r.status === 200) as RequestRecord);
    expect(rec.batch_id).toBe(created.id);
    // Each line's request id is its custom_id (the record's own id stays the server's).
    expect(mine.map((r) => r.requestId).sort()).toEqual(["req-0", "req-1", "req-2", "req-3", "req-4"]);
    expect(up.received("/chat/completions").length).toBeGreaterThanOrEqual(5);
  });

  it("keeps batches to their key, lists them newest first, and refuses another key's file", async () => {
    const a = proxy.sdk(A);
    const b = proxy.sdk(B);
    const file = await a.files.create({ file: await toFile(Buffer.from(chatLines(1)), "in.jsonl"), purpose: "batch" });
    const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    await expect(b.batches.retrieve(made.id)).rejects.toMatchObject({ status: 404 });
    await expect(b.batches.cancel(made.id)).rejects.toMatchObject({ status: 404 });
    expect((await b.batches.list()).data).toHaveLength(0);
    await expect(
      b.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" }),
    ).rejects.toMatchObject({ status: 400 });
    expect((await a.batches.list()).data[0]?.id).toBe(made.id);
    await untilFinal(a, made.id);
  });

  it("stores metadata without NUL, control characters or lone surrogates", async () => {
    const a = proxy.sdk(A);
    const file = await a.files.create({ file: await toFile(Buffer.from(chatLines(1)), "in.jsonl"), purpose: "batch" });
    const made = await a.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { "k\u0000ey": "a\u0000b\ud800c\u001fd", ok: "评测" },
    });
    const back = await a.batches.retrieve(made.id);
    for (const m of [made.metadata, back.metadata]) {
      const text = JSON.stringify(m);
      expect(text).not.toMatch(/\\u0000|\\u001f|\\ud800/);
      expect(m?.ok).toBe("评测");
      expect(Object.keys(m ?? {})).toHaveLength(2);
    }
    await untilFinal(a, made.id);
  });

  it("answers bad create bodies with a 400 naming the field", async () => {
    const a = proxy.sdk(A);
    const err = await a.batches
      .create({ input_file_id: "file-x", endpoint: "/v1/nope" as "/v1/chat/completions", completion_window: "24h" })
      .catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.param ?? err.message).toContain("endpoint");
  });

  it("cancels: lines not yet sent never run, and the batch ends cancelled", async () => {
    const a = proxy.sdk(A);
    up.behavior.fallback = { delayMs: 200 };
    try {
      const file = await a.files.create({ file: await toFile(Buffer.from(chatLines(40)), "in.jsonl"), purpose: "batch" });
      const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
      const c = await a.batches.cancel(made.id);
      expect(c.status).toBe("cancelling");
      const done = await untilFinal(a, made.id);
      expect(done.status).toBe("cancelled");
      expect(done.request_counts?.completed).toBeLessThan(40);
    } finally {
      up.behavior.reset();
    }
  });

  it("takes any custom_id, unicode and header-unsafe ones included", async () => {
    const a = proxy.sdk(A);
    const ids = ["评测-1", "line\twith tab", "x".repeat(300)];
    const text = ids
      .map((custom_id) =>
        JSON.stringify({
          custom_id,
          method: "POST",
          url: "/v1/chat/completions",
          body: { model: "gpt-4o", messages: [{ role: "user", content: "hi" }] },
        }),
      )
      .join("\n");
    const file = await a.files.create({ file: await toFile(Buffer.from(text), "in.jsonl"), purpose: "batch" });
    const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    const done = await untilFinal(a, made.id);
    expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });
    const out = (await (await a.files.content(done.output_file_id as string)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).custom_id);
    expect(out.sort()).toEqual([...ids].sort());
  });

  it("refuses a forged batch credential like a wrong key", async () => {
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-router-batch": "batch_x.dGVhbS1h.forged" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(401);
  });
});
