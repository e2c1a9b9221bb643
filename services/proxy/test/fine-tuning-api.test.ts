import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FineTuneMock, startFineTuneMock } from "./fine-tune-mock.js";
import { type OfflineProxy, startOfflineProxy } from "./offline-setup.js";

const A = "sk-team-a-ft-1111111111";
const B = "sk-team-b-ft-2222222222";
const ADMIN = "admin-token-ft-0123456789abcdef0123";
let ft: FineTuneMock;
let plain: MockUpstream;
let proxy: OfflineProxy;

beforeAll(async () => {
  ft = await startFineTuneMock();
  plain = await startMockUpstream();
  proxy = await startOfflineProxy({
    providers: [
      { name: "oai", type: "openai", base_url: ft.baseUrl, api_key: "sk-upstream-ft" },
      { name: "local", type: "openai-compatible", base_url: plain.baseUrl, api_key: "sk-local" },
    ],
    models: [
      { name: "mini", providers: [{ provider: "oai", model: "gpt-4o-mini-2024-07-18" }] },
      { name: "private-llm", providers: [{ provider: "local", model: "qwen" }] },
    ],
    keys: [
      { name: "team-a", key: A },
      { name: "team-b", key: B },
    ],
    server: { admin_token: ADMIN },
  });
  for (const e of proxy.apis.adminEndpoints(() => ADMIN)) proxy.proxy.addRoute(e);
});
afterAll(async () => {
  await proxy?.close();
  await ft?.close();
  await plain?.close();
});

const training = `${JSON.stringify({
  messages: [
    { role: "user", content: "hi" },
    { role: "assistant", content: "hello" },
  ],
})}\n`;

describe("fine-tuning through the router with the official openai client", () => {
  it("creates a job at the provider (file copied there), follows it to succeeded, then chats with the fine-tuned model", async () => {
    const a = proxy.sdk(A);
    const file = await a.files.create({ file: await toFile(Buffer.from(training), "train.jsonl"), purpose: "fine-tune" });
    const job = await a.fineTuning.jobs.create({ model: "mini", training_file: file.id, hyperparameters: { n_epochs: 2 } });
    expect(job).toMatchObject({ object: "fine_tuning.job", model: "mini", training_file: file.id, status: "queued" });
    expect(job.id).toMatch(/^ftjob-/);
    // The file went to the provider, and the job there trains the provider's model from that copy.
    const upstream = [...ft.jobs.values()][0] as Record<string, unknown>;
    expect(upstream.model).toBe("gpt-4o-mini-2024-07-18");
    expect(ft.files.get(String(upstream.training_file))).toBe(training);

    // Before it succeeds, its model is nobody's.
    let j = await a.fineTuning.jobs.retrieve(job.id);
    expect(j.status).toBe("running");
    j = await a.fineTuning.jobs.retrieve(job.id);
    expect(j.status).toBe("succeeded");
    expect(j.fine_tuned_model).toMatch(/^ft:gpt-4o-mini-2024-07-18:acme::/);
    expect(j.result_files).toEqual(["file-result"]);
    // The read that found it ended stored its last events: the console's events dialog (the cluster's
    // control plane reads the stored ones) shows the end even when no poll came after it.
    const stored = JSON.parse(readFileSync(join(proxy.dir, "fine-tuning", `${job.id}.json`), "utf8")) as { events: { message: string }[] };
    expect(stored.events.map((e) => e.message)).toEqual(["Job is succeeded"]);

    const ftModel = j.fine_tuned_model as string;
    const chat = await a.chat.completions.create({ model: ftModel, messages: [{ role: "user", content: "hi" }] });
    expect(chat.choices[0]?.message.content).toBe(`from ${ftModel}`);
    expect(ft.chatModels).toContain(ftModel);
    expect((await a.models.list()).data.map((m) => m.id)).toContain(ftModel);

    // Another key: no such model, no such job.
    const b = proxy.sdk(B);
    await expect(b.chat.completions.create({ model: ftModel, messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject({
      status: 404,
    });
    expect((await b.models.list()).data.map((m) => m.id)).not.toContain(ftModel);
    await expect(b.fineTuning.jobs.retrieve(job.id)).rejects.toMatchObject({ status: 404 });
    expect((await b.fineTuning.jobs.list()).data).toHaveLength(0);

    const events = await a.fineTuning.jobs.listEvents(job.id);
    expect(events.data[0]?.message).toBe("Job is succeeded");
    const checkpoints = await a.fineTuning.jobs.checkpoints.list(job.id);
    expect(checkpoints.data[0]?.fine_tuning_job_id).toBe(job.id);
    expect((await a.fineTuning.jobs.list()).data.map((x) => x.id)).toContain(job.id);
  });

  it("cancels a job at the provider", async () => {
    const a = proxy.sdk(A);
    const file = await a.files.create({ file: await toFile(Buffer.from(training), "train.jsonl"), purpose: "fine-tune" });
    const job = await a.fineTuning.jobs.create({ model: "mini", training_file: file.id });
    await expect(proxy.sdk(B).fineTuning.jobs.cancel(job.id)).rejects.toMatchObject({ status: 404 });
    expect((await a.fineTuning.jobs.cancel(job.id)).status).toBe("cancelled");
  });

  it("answers 400 for a model whose provider offers no fine-tuning, and for another key's file", async () => {
    const a = proxy.sdk(A);
    const file = await a.files.create({ file: await toFile(Buffer.from(training), "train.jsonl"), purpose: "fine-tune" });
    const err = await a.fineTuning.jobs.create({ model: "private-llm", training_file: file.id }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.message).toContain("offers no fine-tuning");
    const other = await proxy
      .sdk(B)
      .fineTuning.jobs.create({ model: "mini", training_file: file.id })
      .catch((e) => e);
    expect(other.status).toBe(400);
    expect(other.param ?? other.message).toContain("training_file");
  });
});

describe("the admin's view", () => {
  const adminGet = (path: string, token = ADMIN) => fetch(`${proxy.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it("sees every key's files and jobs, and shares a fine-tuned model with another key", async () => {
    const a = proxy.sdk(A);
    const b = proxy.sdk(B);
    const fa = await a.files.create({ file: await toFile(Buffer.from(training), "a.jsonl"), purpose: "fine-tune" });
    const fb = await b.files.create({ file: await toFile(Buffer.from(training), "b.jsonl"), purpose: "fine-tune" });
    const files = (await (await adminGet("/v1/admin/files")).json()) as { data: { id: string; owner: string }[] };
    expect(files.data.find((f) => f.id === fa.id)?.owner).toBe("team-a");
    expect(files.data.find((f) => f.id === fb.id)?.owner).toBe("team-b");
    expect((await adminGet("/v1/admin/files", "wrong-token-0123456789abcdef")).status).toBe(401);
    expect((await fetch(`${proxy.url}/v1/admin/files`, { headers: { authorization: `Bearer ${A}` } })).status).toBe(401);

    const job = await a.fineTuning.jobs.create({ model: "mini", training_file: fa.id });
    await a.fineTuning.jobs.retrieve(job.id);
    const ftModel = (await a.fineTuning.jobs.retrieve(job.id)).fine_tuned_model as string;
    const jobs = (await (await adminGet("/v1/admin/fine_tuning/jobs")).json()) as { data: { id: string; owner: string }[] };
    expect(jobs.data.find((j) => j.id === job.id)?.owner).toBe("team-a");

    await expect(b.chat.completions.create({ model: ftModel, messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject({
      status: 404,
    });
    const share = await fetch(`${proxy.url}/v1/admin/fine_tuning/models/${encodeURIComponent(ftModel)}/shared_with`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ keys: ["team-b"] }),
    });
    expect(share.status).toBe(200);
    const chat = await b.chat.completions.create({ model: ftModel, messages: [{ role: "user", content: "hi" }] });
    expect(chat.choices[0]?.message.content).toBe(`from ${ftModel}`);
    expect((await b.models.list()).data.map((m) => m.id)).toContain(ftModel);
    // Shared to use, not to own: the job stays team-a's.
    await expect(b.fineTuning.jobs.retrieve(job.id)).rejects.toMatchObject({ status: 404 });
  });
});
