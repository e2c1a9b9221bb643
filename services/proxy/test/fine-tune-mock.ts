import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An OpenAI-like upstream with Files, Fine-tuning and Batches (jobs and batches advance one status per
 * read; a batch's output answers each line as chat would) and chat.
 */
export interface FineTuneMock {
  baseUrl: string;
  /** Files uploaded to it: id -> the bytes' text. */
  files: Map<string, string>;
  jobs: Map<string, Record<string, unknown>>;
  batches: Map<string, Record<string, unknown>>;
  /** Models chat requests named. */
  chatModels: string[];
  close(): Promise<void>;
}

export async function startFineTuneMock(): Promise<FineTuneMock> {
  const files = new Map<string, string>();
  const jobs = new Map<string, Record<string, unknown>>();
  const chatModels: string[] = [];
  const batches = new Map<string, Record<string, unknown>>();
  let n = 0;
  /** Unix seconds, as OpenAI dates jobs and events (a constant 1 showed as 01/01/1970 in the console). */
  const now = () => Math.floor(Date.now() / 1000);
  const reply = (model: string) => ({
    id: "c1",
    object: "chat.completion",
    created: 1,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: `from ${model}` }, finish_reason: "stop" }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  });
  const json = (res: import("node:http").ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const path = (req.url ?? "").split("?")[0] as string;
    if (req.method === "POST" && path === "/v1/files") {
      const id = `file-up${++n}`;
      // The file part's content: between its headers' blank line and the closing boundary.
      const m = /name="file"[^\r]*\r\ncontent-type: [^\r]*\r\n\r\n([\s\S]*?)\r\n--/.exec(text);
      files.set(id, m?.[1] ?? "");
      return json(res, 200, { id, object: "file", purpose: "fine-tune", bytes: m?.[1]?.length ?? 0 });
    }
    if (req.method === "POST" && path === "/v1/fine_tuning/jobs") {
      const body = JSON.parse(text) as Record<string, unknown>;
      if (!files.has(String(body.training_file))) return json(res, 400, { error: { message: "unknown training_file" } });
      const id = `ftjob-up${++n}`;
      const job = {
        id,
        object: "fine_tuning.job",
        status: "queued",
        model: body.model,
        training_file: body.training_file,
        created_at: now(),
        fine_tuned_model: null,
        hyperparameters: body.hyperparameters ?? {},
        result_files: [],
        trained_tokens: null,
      };
      jobs.set(id, job);
      return json(res, 200, job);
    }
    if (req.method === "POST" && path === "/v1/batches") {
      const body = JSON.parse(text) as { input_file_id: string; endpoint: string };
      if (!files.has(body.input_file_id)) return json(res, 400, { error: { message: "unknown input_file_id" } });
      const id = `batch_up${++n}`;
      const batch = {
        id,
        object: "batch",
        status: "validating",
        input_file_id: body.input_file_id,
        endpoint: body.endpoint,
        output_file_id: null,
        error_file_id: null,
        request_counts: { total: 0, completed: 0, failed: 0 },
      };
      batches.set(id, batch);
      return json(res, 200, batch);
    }
    const bm = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    const batch = bm ? batches.get(bm[1] as string) : undefined;
    if (bm && batch) {
      if (bm[2]) batch.status = "cancelled";
      else if (batch.status === "validating") batch.status = "in_progress";
      else if (batch.status === "in_progress") {
        const lines = (files.get(batch.input_file_id as string) ?? "")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as { custom_id: string; body: { model: string } });
        const out = lines.map((l, i) =>
          JSON.stringify({
            id: `batch_req_${i}`,
            custom_id: l.custom_id,
            response: { status_code: 200, request_id: `r${i}`, body: reply(l.body.model) },
            error: null,
          }),
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
    const content = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
    if (req.method === "GET" && content && files.has(content[1] as string)) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      return res.end(files.get(content[1] as string));
    }
    const m = /^\/v1\/fine_tuning\/jobs\/([^/]+)(?:\/(\w+))?$/.exec(path);
    const job = m ? jobs.get(m[1] as string) : undefined;
    if (m && job) {
      const what = m[2];
      if (req.method === "GET" && what === undefined) {
        const next: Record<string, string> = { queued: "running", running: "succeeded" };
        if (next[job.status as string]) job.status = next[job.status as string];
        if (job.status === "succeeded")
          Object.assign(job, { fine_tuned_model: `ft:${job.model}:acme::${job.id}`, trained_tokens: 1234, result_files: ["file-result"] });
        return json(res, 200, job);
      }
      if (req.method === "POST" && what === "cancel") {
        job.status = "cancelled";
        return json(res, 200, job);
      }
      if (req.method === "GET" && what === "events") {
        return json(res, 200, {
          object: "list",
          has_more: false,
          data: [
            {
              object: "fine_tuning.job.event",
              id: "ev-1",
              created_at: now(),
              level: "info",
              message: `Job is ${job.status}`,
              type: "message",
            },
          ],
        });
      }
      if (req.method === "GET" && what === "checkpoints") {
        return json(res, 200, {
          object: "list",
          has_more: false,
          data: [{ object: "fine_tuning.job.checkpoint", id: "ckpt-1", fine_tuning_job_id: job.id, step_number: 10, metrics: {} }],
        });
      }
    }
    if (req.method === "POST" && path === "/v1/chat/completions") {
      const body = JSON.parse(text) as { model: string };
      chatModels.push(body.model);
      return json(res, 200, {
        id: "c1",
        object: "chat.completion",
        created: 1,
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content: `from ${body.model}` }, finish_reason: "stop" }],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      });
    }
    json(res, 404, { error: { message: `Unknown path ${path}` } });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    files,
    jobs,
    batches,
    chatModels,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
