import { chatReply, json, parseMultipart, type SeenRequest, startMockServer } from "./offline-mock-http.js";

/**
 * Together's fine-tuning API as documented (docs.together.ai): `POST /v1/files/upload` (multipart `file`,
 * `file_name`, `purpose`), `POST /v1/fine-tunes` (flat hyperparameters), `GET /v1/fine-tunes/{id}` (RFC
 * 3339 times; one status step per read: pending -> running -> completed, `model_output_name` then set),
 * `/cancel` (cancel_requested, then cancelled), `/events`, `/checkpoints`; and chat.
 */
export async function startTogetherMock(apiKey: string) {
  const files = new Map<string, string>();
  const jobs = new Map<string, Record<string, unknown>>();
  const chatModels: string[] = [];
  let n = 0;
  const iso = (s: number) => new Date(Date.UTC(2026, 11, 7, 10, 0, s)).toISOString();
  const server = await startMockServer((req: SeenRequest, res) => {
    if (req.headers.authorization !== `Bearer ${apiKey}`) return json(res, 401, { error: { message: "Invalid API key" } });
    if (req.method === "POST" && req.path === "/v1/files/upload") {
      const form = parseMultipart(req);
      if (form.fields.purpose !== "fine-tune" || !form.fields.file_name || !form.file)
        return json(res, 400, { message: "purpose, file_name and file are required" });
      const id = `file-${(++n).toString().padStart(8, "0")}`;
      files.set(id, form.file.text);
      return json(res, 200, {
        id,
        object: "file",
        created_at: 1,
        filename: form.fields.file_name,
        bytes: form.file.text.length,
        purpose: "fine-tune",
        Processed: true,
        FileType: "jsonl",
        LineCount: 1,
      });
    }
    if (req.method === "POST" && req.path === "/v1/fine-tunes") {
      const body = JSON.parse(req.text) as Record<string, unknown>;
      if (!files.has(String(body.training_file))) return json(res, 400, { message: "training_file not found" });
      const id = `ft-${(++n).toString().padStart(8, "0")}`;
      const job: Record<string, unknown> = {
        id,
        status: "pending",
        model: body.model,
        training_file: body.training_file,
        validation_file: body.validation_file ?? "",
        created_at: iso(0),
        updated_at: iso(0),
        n_epochs: body.n_epochs ?? 1,
        batch_size: body.batch_size ?? "max",
        learning_rate: body.learning_rate ?? 0.00001,
        suffix: body.suffix,
        events: [{ object: "fine-tune-event", created_at: iso(0), message: "Fine tune request created", type: "job_pending", level: null }],
        token_count: 500,
      };
      jobs.set(id, job);
      return json(res, 200, job);
    }
    const m = /^\/v1\/fine-tunes\/([^/]+)(?:\/(\w+))?$/.exec(req.path);
    const job = m ? jobs.get(m[1] as string) : undefined;
    if (m && job) {
      const events = job.events as Record<string, unknown>[];
      const step = (status: string, type: string, message: string) => {
        job.status = status;
        job.updated_at = iso(events.length);
        events.push({ object: "fine-tune-event", created_at: iso(events.length), message, type, level: null });
      };
      if (req.method === "GET" && m[2] === undefined) {
        if (job.status === "pending") step("running", "job_start", "Job started");
        else if (job.status === "running") {
          step("completed", "job_complete", "Job finished");
          job.model_output_name = `acme/${String(job.model).split("/").pop()}-${String(job.suffix ?? "ft")}-${job.id}`;
        } else if (job.status === "cancel_requested") step("cancelled", "job_stopped", "Job cancelled");
        return json(res, 200, job);
      }
      if (req.method === "POST" && m[2] === "cancel") {
        step("cancel_requested", "cancel_requested", "Cancel requested");
        return json(res, 200, job);
      }
      if (req.method === "GET" && m[2] === "events") return json(res, 200, { data: events });
      if (req.method === "GET" && m[2] === "checkpoints")
        return json(res, 200, {
          data: [{ step: 10, created_at: iso(5), path: `s3://together/${job.id}/ckpt-10`, checkpoint_type: "Intermediate" }],
        });
    }
    if (req.method === "POST" && req.path === "/v1/chat/completions") {
      const model = String((JSON.parse(req.text) as { model: string }).model);
      chatModels.push(model);
      return json(res, 200, chatReply(model));
    }
    json(res, 404, { message: `Unknown path ${req.path}` });
  });
  return { baseUrl: `${server.origin}/v1`, seen: server.seen, files, jobs, chatModels, close: server.close };
}
