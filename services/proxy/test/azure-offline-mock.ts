import { chatReply, json, parseMultipart, type SeenRequest, startMockServer } from "./offline-mock-http.js";

/**
 * Azure OpenAI's offline APIs as documented (learn.microsoft.com, api-version 2024-10-21), every request
 * with `api-key` and `?api-version=`: `/openai/files` (multipart), `/openai/files/{id}/content`,
 * `/openai/fine_tuning/jobs` (OpenAI's job object; one status step per read: pending -> running ->
 * succeeded), `/openai/batches` (endpoint and line urls without `/v1`, models are deployments; one step
 * per read: validating -> in_progress -> completed), and chat at `/openai/deployments/{name}/chat/completions`.
 */
export async function startAzureMock(apiKey: string, apiVersion = "2024-10-21", surface: "classic" | "v1" = "classic") {
  // The v1 API: the same under `/openai/v1`, no `api-version`, OpenAI's endpoint names (with `/v1/responses`), chat at `/chat/completions`.
  const v1 = surface === "v1";
  const prefix = v1 ? "/openai/v1" : "/openai";
  const endpoints = v1 ? ["/v1/chat/completions", "/v1/embeddings", "/v1/responses"] : ["/chat/completions", "/embeddings"];
  const esc = prefix.replace(/\//g, "\\/");
  const files = new Map<string, string>();
  const jobs = new Map<string, Record<string, unknown>>();
  const batches = new Map<string, Record<string, unknown>>();
  const deployments: string[] = [];
  let n = 0;
  const server = await startMockServer((req: SeenRequest, res) => {
    if (req.headers["api-key"] !== apiKey || req.headers.authorization !== undefined)
      return json(res, 401, { error: { code: "401", message: "Access denied due to invalid subscription key." } });
    if ((v1 ? null : apiVersion) !== req.query.get("api-version"))
      return json(res, 404, { error: { code: "404", message: "Resource not found" } });
    if (req.method === "POST" && req.path === `${prefix}/files`) {
      const form = parseMultipart(req);
      if (!form.file || !["fine-tune", "batch"].includes(form.fields.purpose ?? ""))
        return json(res, 400, { error: { message: "bad upload" } });
      const id = `file-${(++n).toString(16).padStart(32, "0")}`;
      files.set(id, form.file.text);
      return json(res, 200, {
        id,
        object: "file",
        purpose: form.fields.purpose,
        filename: form.file.name,
        bytes: form.file.text.length,
        created_at: 1,
        status: "processed",
      });
    }
    const content = new RegExp(`^${esc}\\/files\\/([^/]+)\\/content$`).exec(req.path);
    if (req.method === "GET" && content && files.has(content[1] as string)) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      return res.end(files.get(content[1] as string));
    }
    if (req.method === "POST" && req.path === `${prefix}/fine_tuning/jobs`) {
      const body = JSON.parse(req.text) as Record<string, unknown>;
      if (!files.has(String(body.training_file))) return json(res, 400, { error: { message: "training_file not found" } });
      const id = `ftjob-${(++n).toString(16).padStart(32, "0")}`;
      const job = {
        id,
        object: "fine_tuning.job",
        status: "pending",
        model: body.model,
        training_file: body.training_file,
        validation_file: null,
        created_at: 1,
        finished_at: null,
        fine_tuned_model: null,
        hyperparameters: body.hyperparameters ?? { n_epochs: -1 },
        result_files: [],
        trained_tokens: null,
        organization_id: "",
      };
      jobs.set(id, job);
      return json(res, 201, job);
    }
    const m = new RegExp(`^${esc}\\/fine_tuning\\/jobs\\/([^/]+)(?:\\/(\\w+))?$`).exec(req.path);
    const job = m ? jobs.get(m[1] as string) : undefined;
    if (m && job) {
      if (req.method === "GET" && m[2] === undefined) {
        const next: Record<string, string> = { pending: "running", running: "succeeded" };
        if (next[String(job.status)]) job.status = next[String(job.status)];
        if (job.status === "succeeded")
          Object.assign(job, { fine_tuned_model: `${job.model}.ft-${String(job.id).slice(-8)}`, trained_tokens: 777, finished_at: 2 });
        return json(res, 200, job);
      }
      if (req.method === "POST" && m[2] === "cancel") {
        job.status = "cancelled";
        return json(res, 200, job);
      }
      if (req.method === "GET" && m[2] === "events")
        return json(res, 200, {
          object: "list",
          has_more: false,
          data: [
            {
              object: "fine_tuning.job.event",
              id: "ftevent-1",
              created_at: 1,
              level: "info",
              message: `Job ${job.status}`,
              type: "message",
            },
          ],
        });
      if (req.method === "GET" && m[2] === "checkpoints") return json(res, 200, { object: "list", has_more: false, data: [] });
    }
    if (req.method === "POST" && req.path === `${prefix}/batches`) {
      const body = JSON.parse(req.text) as { input_file_id: string; endpoint: string; completion_window: string };
      if (!files.has(body.input_file_id) || !endpoints.includes(body.endpoint))
        return json(res, 400, { error: { message: `bad batch: ${body.endpoint}` } });
      const id = `batch_${(++n).toString(16).padStart(32, "0")}`;
      const batch = {
        id,
        object: "batch",
        status: "validating",
        endpoint: body.endpoint,
        input_file_id: body.input_file_id,
        completion_window: "24h",
        output_file_id: null,
        error_file_id: null,
        request_counts: { total: 0, completed: 0, failed: 0 },
      };
      batches.set(id, batch);
      return json(res, 200, batch);
    }
    const bm = new RegExp(`^${esc}\\/batches\\/([^/]+)(\\/cancel)?$`).exec(req.path);
    const batch = bm ? batches.get(bm[1] as string) : undefined;
    if (bm && batch) {
      if (bm[2]) batch.status = "cancelled";
      else if (batch.status === "validating") batch.status = "in_progress";
      else if (batch.status === "in_progress") {
        const lines = (files.get(String(batch.input_file_id)) ?? "")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as { custom_id: string; url: string; body: { model: string } });
        const out = lines.map((l, i) =>
          JSON.stringify(
            l.url === batch.endpoint
              ? {
                  id: `batch_req_${i}`,
                  custom_id: l.custom_id,
                  response: { status_code: 200, request_id: `r${i}`, body: chatReply(l.body.model) },
                  error: null,
                }
              : {
                  id: `batch_req_${i}`,
                  custom_id: l.custom_id,
                  response: { status_code: 400, request_id: `r${i}`, body: { error: { message: "url mismatch" } } },
                  error: null,
                },
          ),
        );
        const fileId = `file-out${++n}`;
        files.set(fileId, `${out.join("\n")}\n`);
        Object.assign(batch, {
          status: "completed",
          output_file_id: fileId,
          request_counts: { total: lines.length, completed: lines.length, failed: 0 },
        });
      }
      return json(res, 200, batch);
    }
    if (v1 && req.method === "POST" && req.path === `${prefix}/chat/completions`) {
      const model = String((JSON.parse(req.text) as { model: string }).model);
      deployments.push(model);
      return json(res, 200, chatReply(model));
    }
    const chat = v1 ? null : /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(req.path);
    if (req.method === "POST" && chat) {
      deployments.push(decodeURIComponent(chat[1] as string));
      return json(res, 200, chatReply(decodeURIComponent(chat[1] as string)));
    }
    json(res, 404, { error: { code: "404", message: "Resource not found" } });
  });
  return {
    baseUrl: v1 ? `${server.origin}/openai/v1` : `${server.origin}/openai?api-version=${apiVersion}`,
    seen: server.seen,
    files,
    jobs,
    batches,
    deployments,
    close: server.close,
  };
}
