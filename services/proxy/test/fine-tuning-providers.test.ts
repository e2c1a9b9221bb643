import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestRecord } from "../src/record/request-record.js";
import { startAzureMock } from "./azure-offline-mock.js";
import { startMistralMock } from "./mistral-ft-mock.js";
import { type OfflineProxy, startOfflineProxy } from "./offline-setup.js";
import { startTogetherMock } from "./together-ft-mock.js";

/**
 * Fine-tuning through the router at Together, Mistral and Azure OpenAI, each behind a mock speaking its
 * own API, driven by the official openai client: each provider's job is OpenAI's job object to the
 * client (statuses, events, checkpoints), and its fine-tuned model answers chat for the owning key.
 */
const A = "sk-team-a-ftp-1111111111";
const B = "sk-team-b-ftp-2222222222";
let together: Awaited<ReturnType<typeof startTogetherMock>>;
let mistral: Awaited<ReturnType<typeof startMistralMock>>;
let azure: Awaited<ReturnType<typeof startAzureMock>>;
let proxy: OfflineProxy;
/** The offline usage records (a succeeded job's trained tokens are charged here). */
const records: RequestRecord[] = [];

beforeAll(async () => {
  [together, mistral, azure] = await Promise.all([startTogetherMock("tg-key"), startMistralMock("ms-key"), startAzureMock("az-key")]);
  proxy = await startOfflineProxy(
    {
      providers: [
        { name: "tg", type: "together", base_url: together.baseUrl, api_key: "tg-key" },
        { name: "ms", type: "mistral", base_url: mistral.baseUrl, api_key: "ms-key" },
        { name: "az", type: "azure-openai", base_url: azure.baseUrl, api_key: "az-key" },
      ],
      models: [
        { name: "llama", providers: [{ provider: "tg", model: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference" }] },
        // A training price configured on the link wins over the bundled one ($2 for open-mistral-7b).
        {
          name: "small",
          providers: [
            { provider: "ms", model: "open-mistral-7b", price: { input_per_mtok: 0.25, output_per_mtok: 0.25, training_per_mtok: 2.5 } },
          ],
        },
        { name: "mini", providers: [{ provider: "az", model: "gpt-4o-mini-2024-07-18" }] },
      ],
      keys: [
        { name: "team-a", key: A },
        { name: "team-b", key: B },
      ],
    },
    { usage: { sink: { write: (r) => records.push(r) }, replica: "test" } },
  );
});
afterAll(async () => {
  await proxy?.close();
  await Promise.all([together?.close(), mistral?.close(), azure?.close()]);
});

const training = `${JSON.stringify({
  messages: [
    { role: "user", content: "hi" },
    { role: "assistant", content: "hello" },
  ],
})}\n`;

/** Creates a job for `model`, reads it until it is final (at most 6 reads); returns the job and what each read said. */
async function trainToEnd(model: string, hyperparameters?: { n_epochs: number }) {
  const a = proxy.sdk(A);
  const file = await a.files.create({ file: await toFile(Buffer.from(training), "train.jsonl"), purpose: "fine-tune" });
  const job = await a.fineTuning.jobs.create({
    model,
    training_file: file.id,
    suffix: "acme",
    ...(hyperparameters ? { hyperparameters } : {}),
  });
  expect(job).toMatchObject({ object: "fine_tuning.job", model, training_file: file.id, status: "queued" });
  const statuses: string[] = [job.status];
  let j = job;
  for (let i = 0; i < 6 && !["succeeded", "failed", "cancelled"].includes(j.status); i++) {
    j = await a.fineTuning.jobs.retrieve(job.id);
    statuses.push(j.status);
  }
  return { file, job: j, statuses };
}

async function chatsWith(ftModel: string) {
  const chat = await proxy.sdk(A).chat.completions.create({ model: ftModel, messages: [{ role: "user", content: "hi" }] });
  expect(chat.choices[0]?.message.content).toBe(`from ${ftModel}`);
  // Another key: no such model.
  await expect(proxy.sdk(B).chat.completions.create({ model: ftModel, messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject(
    { status: 404 },
  );
}

describe("Together (/v1/fine-tunes)", () => {
  it("uploads to /files/upload, creates with flat hyperparameters, maps statuses and events, then chats with model_output_name", async () => {
    const { file, job, statuses } = await trainToEnd("llama", { n_epochs: 2 });
    expect(statuses).toEqual(["queued", "running", "succeeded"]);
    const upload = together.seen.find((r) => r.path === "/v1/files/upload");
    expect(upload?.text).toContain('name="file_name"');
    const create = JSON.parse(together.seen.find((r) => r.path === "/v1/fine-tunes" && r.method === "POST")?.text ?? "{}");
    expect(create).toMatchObject({ model: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference", n_epochs: 2, suffix: "acme" });
    expect(together.files.get(create.training_file)).toBe(training);
    expect(job.training_file).toBe(file.id);
    expect(job.fine_tuned_model).toMatch(/^acme\/Meta-Llama-3\.1-8B-Instruct-Reference-acme-ft-/);
    expect(job.trained_tokens).toBe(1000);

    const a = proxy.sdk(A);
    const events = await a.fineTuning.jobs.listEvents(job.id);
    expect(events.data.map((e) => e.message)).toEqual(["Job finished", "Job started", "Fine tune request created"]);
    expect(events.data[0]).toMatchObject({
      object: "fine_tuning.job.event",
      level: "info",
      created_at: Date.UTC(2026, 11, 7, 10, 0, 2) / 1000,
    });
    const checkpoints = await a.fineTuning.jobs.checkpoints.list(job.id);
    expect(checkpoints.data[0]).toMatchObject({ fine_tuning_job_id: job.id, step_number: 10 });
    expect((await a.fineTuning.jobs.list()).data.map((x) => x.id)).toContain(job.id);
    await chatsWith(job.fine_tuned_model as string);
    expect(together.chatModels).toContain(job.fine_tuned_model);
    // Charged once: 1,000 trained tokens of an 8B model at Together's $0.48 per million (LoRA, up to 16B).
    await a.fineTuning.jobs.retrieve(job.id);
    const trained = records.filter((r) => r.ingress === "openai-fine-tuning" && r.model === "llama");
    expect(trained).toHaveLength(1);
    expect(trained[0]).toMatchObject({ provider: "tg", key: "team-a", usage: { prompt_tokens: 1000 } });
    expect(trained[0]?.costUsd).toBeCloseTo((1000 * 0.48) / 1e6, 12);
  });

  it("cancels: cancel_requested reads as running, then cancelled; pause is a clear 400", async () => {
    const a = proxy.sdk(A);
    const file = await a.files.create({ file: await toFile(Buffer.from(training), "train.jsonl"), purpose: "fine-tune" });
    const job = await a.fineTuning.jobs.create({ model: "llama", training_file: file.id });
    await expect(proxy.sdk(B).fineTuning.jobs.cancel(job.id)).rejects.toMatchObject({ status: 404 });
    expect((await a.fineTuning.jobs.cancel(job.id)).status).toBe("running");
    expect((await a.fineTuning.jobs.retrieve(job.id)).status).toBe("cancelled");
    const err = await a.fineTuning.jobs.pause(job.id).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.message).toContain("cannot pause");
  });
});

describe("Mistral (/v1/fine_tuning/jobs, its shape)", () => {
  it("sends training_files with weights, its hyperparameters and auto_start; events and checkpoints from the detailed job", async () => {
    const { job, statuses } = await trainToEnd("small", { n_epochs: 3 });
    expect(statuses).toEqual(["queued", "validating_files", "running", "succeeded"]);
    const create = JSON.parse(mistral.seen.find((r) => r.path === "/v1/fine_tuning/jobs" && r.method === "POST")?.text ?? "{}");
    expect(create).toMatchObject({ model: "open-mistral-7b", hyperparameters: { epochs: 3 }, auto_start: true, suffix: "acme" });
    expect(create.training_files).toEqual([{ file_id: expect.any(String), weight: 1 }]);
    expect(mistral.files.get(create.training_files[0].file_id)).toBe(training);
    expect(job.fine_tuned_model).toMatch(/^ft:open-mistral-7b:/);
    expect(job.trained_tokens).toBe(4096);

    const a = proxy.sdk(A);
    const events = await a.fineTuning.jobs.listEvents(job.id);
    expect(events.data.map((e) => e.message)).toEqual([
      "Job status: SUCCESS",
      "Job status: RUNNING",
      "Job status: VALIDATING",
      "Job status: QUEUED",
    ]);
    const page = await a.fineTuning.jobs.listEvents(job.id, { limit: 2 });
    expect(page.data).toHaveLength(2);
    expect(page.has_more).toBe(true);
    const checkpoints = await a.fineTuning.jobs.checkpoints.list(job.id);
    expect(checkpoints.data[0]).toMatchObject({ step_number: 10, fine_tuning_job_id: job.id, metrics: { train_loss: 1.2 } });
    await chatsWith(job.fine_tuned_model as string);
    expect(mistral.chatModels).toContain(job.fine_tuned_model);
    // 4,096 trained tokens at the link's $2.50 per million.
    const trained = records.filter((r) => r.ingress === "openai-fine-tuning" && r.model === "small");
    expect(trained).toHaveLength(1);
    expect(trained[0]).toMatchObject({ provider: "ms", key: "team-a", usage: { prompt_tokens: 4096 } });
    expect(trained[0]?.costUsd).toBeCloseTo((4096 * 2.5) / 1e6, 12);
  });

  it("cancels a running job (CANCELLATION_REQUESTED, then CANCELLED)", async () => {
    const a = proxy.sdk(A);
    const file = await a.files.create({ file: await toFile(Buffer.from(training), "train.jsonl"), purpose: "fine-tune" });
    const job = await a.fineTuning.jobs.create({ model: "small", training_file: file.id });
    expect((await a.fineTuning.jobs.cancel(job.id)).status).toBe("running");
    expect((await a.fineTuning.jobs.retrieve(job.id)).status).toBe("cancelled");
  });
});

describe("Azure OpenAI ({endpoint}/openai/fine_tuning/jobs?api-version=)", () => {
  it("uses api-key and api-version, maps Azure's pending, and chats with the fine-tuned deployment", async () => {
    const { job, statuses } = await trainToEnd("mini");
    expect(statuses).toEqual(["queued", "running", "succeeded"]);
    const create = azure.seen.find((r) => r.path === "/openai/fine_tuning/jobs" && r.method === "POST");
    expect(create?.headers["api-key"]).toBe("az-key");
    expect(create?.headers.authorization).toBeUndefined();
    expect(JSON.parse(create?.text ?? "{}")).toMatchObject({ model: "gpt-4o-mini-2024-07-18", suffix: "acme" });
    expect(job.fine_tuned_model).toMatch(/^gpt-4o-mini-2024-07-18\.ft-/);
    expect(job.trained_tokens).toBe(777);
    const a = proxy.sdk(A);
    expect((await a.fineTuning.jobs.listEvents(job.id)).data[0]?.message).toBe("Job succeeded");
    await chatsWith(job.fine_tuned_model as string);
    expect(azure.deployments).toContain(job.fine_tuned_model);

    const file = await a.files.create({ file: await toFile(Buffer.from(training), "train.jsonl"), purpose: "fine-tune" });
    const other = await a.fineTuning.jobs.create({ model: "mini", training_file: file.id });
    expect((await a.fineTuning.jobs.cancel(other.id)).status).toBe("cancelled");
  });
});
