import { randomUUID } from "node:crypto";
import { chatReply, json, parseMultipart, type SeenRequest, startMockServer } from "./offline-mock-http.js";

/**
 * Mistral's fine-tuning API as documented (docs.mistral.ai): `POST /v1/files` (multipart `file`,
 * `purpose=fine-tune`), `POST /v1/fine_tuning/jobs` (`training_files: [{file_id, weight}]`, its
 * hyperparameters, `auto_start`), `GET /v1/fine_tuning/jobs/{id}` (the detailed job with `events` and
 * `checkpoints`; one status step per read: QUEUED -> VALIDATING -> RUNNING -> SUCCESS, or VALIDATED
 * and waiting without auto start), `/cancel`, `/start`; and chat.
 */
export async function startMistralMock(apiKey: string) {
  const files = new Map<string, string>();
  const jobs = new Map<string, Record<string, unknown>>();
  const chatModels: string[] = [];
  const t0 = 1_765_000_000;
  const server = await startMockServer((req: SeenRequest, res) => {
    if (req.headers.authorization !== `Bearer ${apiKey}`) return json(res, 401, { message: "Unauthorized", request_id: "r" });
    if (req.method === "POST" && req.path === "/v1/files") {
      const form = parseMultipart(req);
      if (!form.file) return json(res, 422, { object: "error", message: "file is required", type: "invalid_request_file" });
      const id = randomUUID();
      files.set(id, form.file.text);
      return json(res, 200, {
        id,
        object: "file",
        bytes: form.file.text.length,
        created_at: t0,
        filename: form.file.name,
        purpose: form.fields.purpose ?? "fine-tune",
        sample_type: "instruct",
        num_lines: 1,
        source: "upload",
      });
    }
    if (req.method === "POST" && req.path === "/v1/fine_tuning/jobs") {
      const body = JSON.parse(req.text) as Record<string, unknown>;
      const training = body.training_files as { file_id: string; weight?: number }[] | undefined;
      if (!Array.isArray(training) || training.some((f) => !files.has(f.file_id)))
        return json(res, 422, { object: "error", message: "training_files must name uploaded files", type: "invalid_request_error" });
      const id = randomUUID();
      const job: Record<string, unknown> = {
        id,
        object: "job",
        auto_start: body.auto_start === true,
        model: body.model,
        status: "QUEUED",
        job_type: "completion",
        created_at: t0,
        modified_at: t0,
        training_files: training.map((f) => f.file_id),
        validation_files: body.validation_files ?? [],
        hyperparameters: body.hyperparameters ?? {},
        fine_tuned_model: null,
        suffix: body.suffix ?? null,
        integrations: [],
        trained_tokens: null,
        metadata: { expected_duration_seconds: 60, cost: 1.5, cost_currency: "EUR" },
        events: [{ name: "status-updated", data: { status: "QUEUED" }, created_at: t0 }],
        checkpoints: [],
      };
      jobs.set(id, job);
      const { events: _e, checkpoints: _c, ...out } = job;
      return json(res, 200, out);
    }
    const m = /^\/v1\/fine_tuning\/jobs\/([^/]+)(?:\/(\w+))?$/.exec(req.path);
    const job = m ? jobs.get(m[1] as string) : undefined;
    if (m && job) {
      const events = job.events as Record<string, unknown>[];
      const to = (status: string) => {
        job.status = status;
        job.modified_at = t0 + events.length;
        events.push({ name: "status-updated", data: { status }, created_at: t0 + events.length });
      };
      if (req.method === "GET" && m[2] === undefined) {
        const next: Record<string, string> = {
          QUEUED: "VALIDATING",
          VALIDATING: job.auto_start ? "RUNNING" : "VALIDATED",
          RUNNING: "SUCCESS",
          CANCELLATION_REQUESTED: "CANCELLED",
        };
        const s = next[String(job.status)];
        if (s) to(s);
        if (job.status === "RUNNING")
          (job.checkpoints as unknown[]).push({
            metrics: { train_loss: 1.2, valid_loss: 1.3, valid_mean_token_accuracy: 0.6 },
            step_number: 10,
            created_at: t0 + 5,
          });
        if (job.status === "SUCCESS")
          Object.assign(job, {
            fine_tuned_model: `ft:${job.model}:${String(job.id).slice(0, 8)}:${job.suffix ?? "x"}`,
            trained_tokens: 4096,
          });
        return json(res, 200, job);
      }
      if (req.method === "POST" && m[2] === "cancel") {
        to("CANCELLATION_REQUESTED");
        return json(res, 200, job);
      }
      if (req.method === "POST" && m[2] === "start") {
        if (job.status !== "VALIDATED")
          return json(res, 400, { object: "error", message: "Job is not validated", type: "invalid_request_error" });
        to("RUNNING");
        return json(res, 200, job);
      }
    }
    if (req.method === "POST" && req.path === "/v1/chat/completions") {
      const model = String((JSON.parse(req.text) as { model: string }).model);
      chatModels.push(model);
      return json(res, 200, chatReply(model));
    }
    json(res, 404, { detail: "Not Found" });
  });
  return { baseUrl: `${server.origin}/v1`, seen: server.seen, files, jobs, chatModels, close: server.close };
}
