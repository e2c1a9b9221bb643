import type { Readable } from "node:stream";
import type { FineTuningApi, FtCreate, FtPage } from "./ft-api.js";
import { unixSeconds } from "./ft-api.js";
import type { FineTuningUpstream } from "./ft-upstream.js";

/** Together's job statuses as OpenAI's (a cancel asked is still running until it is `cancelled`). */
const STATUS: Record<string, string> = {
  pending: "queued",
  queued: "queued",
  running: "running",
  compressing: "running",
  uploading: "running",
  cancel_requested: "running",
  cancelled: "cancelled",
  error: "failed",
  user_error: "failed",
  completed: "succeeded",
};

/** OpenAI's hyperparameters as Together's create fields (`n_epochs`, `batch_size`, `learning_rate`); "auto" left to Together. */
function toTogetherHyperparameters(h: Record<string, string | number> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === "auto") continue;
    if (k === "n_epochs" || k === "batch_size" || k === "learning_rate" || k === "n_checkpoints" || k === "warmup_ratio") out[k] = v;
  }
  return out;
}

/** A Together event (`{created_at: RFC 3339, message, type, level}`) as OpenAI's `fine_tuning.job.event`. */
function toOpenAIEvent(jobId: string, e: Record<string, unknown>, i: number): Record<string, unknown> {
  const level = e.level === "error" || e.level === "warning" ? (e.level === "warning" ? "warn" : "error") : "info";
  return {
    object: "fine_tuning.job.event",
    id: typeof e.hash === "string" && e.hash ? e.hash : `ftevent-${jobId}-${i}`,
    created_at: unixSeconds(e.created_at) ?? 0,
    level,
    message: typeof e.message === "string" ? e.message : String(e.type ?? ""),
    type: "message",
    data: { type: e.type ?? null, step: e.step ?? null },
  };
}

/** Together's job (`FinetuneResponse`) as OpenAI's `fine_tuning.job`. */
export function togetherToOpenAIJob(j: Record<string, unknown>): Record<string, unknown> {
  const status = STATUS[String(j.status)] ?? "running";
  const done = status === "succeeded" || status === "failed" || status === "cancelled";
  return {
    object: "fine_tuning.job",
    id: String(j.id ?? ""),
    model: j.model ?? null,
    status,
    created_at: unixSeconds(j.created_at) ?? 0,
    finished_at: done ? unixSeconds(j.updated_at) : null,
    fine_tuned_model: status === "succeeded" && typeof j.model_output_name === "string" ? j.model_output_name : null,
    training_file: j.training_file ?? null,
    validation_file: j.validation_file || null,
    hyperparameters: { n_epochs: j.n_epochs ?? "auto", batch_size: j.batch_size ?? "auto", learning_rate_multiplier: "auto" },
    trained_tokens: typeof j.token_count === "number" && status === "succeeded" ? j.token_count * (Number(j.n_epochs) || 1) : null,
    result_files: [],
    error: status === "failed" ? { code: "provider_error", message: "The job failed at Together.", param: null } : null,
    seed: null,
  };
}

/**
 * Together's fine-tuning API: files at `/files/upload` (multipart with `file_name`), jobs at
 * `/fine-tunes` (flat hyperparameters, RFC 3339 times, `model_output_name` the fine-tuned model),
 * events at `/fine-tunes/{id}/events`, checkpoints at `/fine-tunes/{id}/checkpoints`; no pause.
 */
export function togetherFineTuning(up: FineTuningUpstream): FineTuningApi {
  const path = (id: string) => `/fine-tunes/${encodeURIComponent(id)}`;
  return {
    uploadFile: (bytes: Readable, filename: string) =>
      up.uploadFile(bytes, filename, "fine-tune", { path: "/files/upload", fields: { file_name: filename, file_type: "jsonl" } }),
    async create(req: FtCreate) {
      const body: Record<string, unknown> = {
        model: req.model,
        training_file: req.training_file,
        ...toTogetherHyperparameters(req.hyperparameters),
      };
      if (req.validation_file) body.validation_file = req.validation_file;
      if (req.suffix) body.suffix = req.suffix;
      return togetherToOpenAIJob(await up.call("POST", "/fine-tunes", JSON.stringify(body)));
    },
    retrieve: async (id) => togetherToOpenAIJob(await up.call("GET", path(id))),
    cancel: async (id) => togetherToOpenAIJob(await up.call("POST", `${path(id)}/cancel`, "{}")),
    async events(id, page): Promise<FtPage> {
      const l = await up.call("GET", `${path(id)}/events`);
      const all = (Array.isArray(l.data) ? l.data : []).filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null);
      // Together lists oldest first and pages nothing; OpenAI's list is newest first with `after`.
      const events = all.map((e, i) => toOpenAIEvent(id, e, i)).reverse();
      return slice(events, page);
    },
    async checkpoints(id, page): Promise<FtPage> {
      const l = await up.call("GET", `${path(id)}/checkpoints`);
      const all = (Array.isArray(l.data) ? l.data : []).filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null);
      const list = all.map((c, i) => ({
        object: "fine_tuning.job.checkpoint",
        id: `ftckpt-${id}-${i}`,
        created_at: unixSeconds(c.created_at) ?? 0,
        fine_tuned_model_checkpoint: typeof c.path === "string" ? c.path : "",
        fine_tuning_job_id: id,
        step_number: typeof c.step === "number" ? c.step : i,
        metrics: {},
      }));
      return slice(list.reverse(), page);
    },
  };
}

/** A page of a list kept whole: after the id `after`, at most `limit` (default 20). */
export function slice(list: Record<string, unknown>[], page: { after?: string; limit?: number }): FtPage {
  const from = page.after ? list.findIndex((e) => e.id === page.after) + 1 : 0;
  const limit = Math.min(Math.max(1, page.limit ?? 20), 100);
  return { data: list.slice(from, from + limit), has_more: list.length > from + limit };
}
