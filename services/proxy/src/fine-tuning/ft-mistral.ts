import type { Readable } from "node:stream";
import type { FineTuningApi, FtCreate, FtPage } from "./ft-api.js";
import { unixSeconds } from "./ft-api.js";
import { slice } from "./ft-together.js";
import type { FineTuningUpstream } from "./ft-upstream.js";

/** Mistral's job statuses as OpenAI's (a cancel asked is still running until it is `CANCELLED`). */
const STATUS: Record<string, string> = {
  QUEUED: "queued",
  VALIDATING: "validating_files",
  VALIDATED: "queued",
  STARTED: "running",
  RUNNING: "running",
  CANCELLATION_REQUESTED: "running",
  FAILED_VALIDATION: "failed",
  FAILED: "failed",
  SUCCESS: "succeeded",
  CANCELLED: "cancelled",
};

/** Mistral's own hyperparameter names, passed as they are. */
const MISTRAL_HYPERPARAMETERS = new Set([
  "training_steps",
  "learning_rate",
  "weight_decay",
  "warmup_fraction",
  "epochs",
  "seq_len",
  "fim_ratio",
]);

/** OpenAI's hyperparameters as Mistral's (`n_epochs` -> `epochs`; Mistral's own names kept; "auto" left to Mistral). */
export function toMistralHyperparameters(h: Record<string, string | number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (typeof v !== "number") continue;
    if (k === "n_epochs") out.epochs = v;
    else if (MISTRAL_HYPERPARAMETERS.has(k)) out[k] = v;
  }
  return out;
}

/** Mistral's job (`JobOut`, `DetailedJobOut`) as OpenAI's `fine_tuning.job`. */
export function mistralToOpenAIJob(j: Record<string, unknown>): Record<string, unknown> {
  const status = STATUS[String(j.status)] ?? "running";
  const done = status === "succeeded" || status === "failed" || status === "cancelled";
  const files = (v: unknown) =>
    Array.isArray(v) ? v.map((f) => (typeof f === "object" && f !== null ? (f as { file_id?: unknown }).file_id : f)) : [];
  const h = (typeof j.hyperparameters === "object" && j.hyperparameters !== null ? j.hyperparameters : {}) as Record<string, unknown>;
  return {
    object: "fine_tuning.job",
    id: String(j.id ?? ""),
    model: j.model ?? null,
    status,
    created_at: unixSeconds(j.created_at) ?? 0,
    finished_at: done ? unixSeconds(j.modified_at) : null,
    fine_tuned_model: typeof j.fine_tuned_model === "string" && j.fine_tuned_model ? j.fine_tuned_model : null,
    training_file: files(j.training_files)[0] ?? null,
    validation_file: files(j.validation_files)[0] ?? null,
    hyperparameters: Object.assign({ n_epochs: h.epochs ?? "auto" }, h),
    trained_tokens: typeof j.trained_tokens === "number" ? j.trained_tokens : null,
    result_files: [],
    error: status === "failed" ? { code: String(j.status).toLowerCase(), message: "The job failed at Mistral.", param: null } : null,
    seed: null,
    // Mistral's: whether training starts once validated (the router asks it to).
    auto_start: j.auto_start ?? null,
  };
}

const items = (v: unknown) => (Array.isArray(v) ? v.filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null) : []);

/**
 * Mistral's fine-tuning API: files at `/files` (purpose `fine-tune`), jobs at `/fine_tuning/jobs` with
 * `training_files: [{file_id, weight}]`, its own hyperparameter names and `auto_start` (the router sends
 * true: OpenAI's jobs start by themselves); events and checkpoints are read from the detailed job.
 * `resume` starts a job created without auto start (`/start`); there is no pause.
 */
export function mistralFineTuning(up: FineTuningUpstream): FineTuningApi {
  const path = (id: string) => `/fine_tuning/jobs/${encodeURIComponent(id)}`;
  return {
    uploadFile: (bytes: Readable, filename: string) => up.uploadFile(bytes, filename),
    async create(req: FtCreate) {
      const body: Record<string, unknown> = {
        model: req.model,
        training_files: [{ file_id: req.training_file, weight: 1 }],
        hyperparameters: toMistralHyperparameters(req.hyperparameters),
        auto_start: true,
      };
      if (req.validation_file) body.validation_files = [req.validation_file];
      if (req.suffix) body.suffix = req.suffix.slice(0, 18);
      return mistralToOpenAIJob(await up.call("POST", "/fine_tuning/jobs", JSON.stringify(body)));
    },
    retrieve: async (id) => mistralToOpenAIJob(await up.call("GET", path(id))),
    cancel: async (id) => mistralToOpenAIJob(await up.call("POST", `${path(id)}/cancel`, "{}")),
    resume: async (id) => mistralToOpenAIJob(await up.call("POST", `${path(id)}/start`, "{}")),
    async events(id, page): Promise<FtPage> {
      const j = await up.call("GET", path(id));
      const events = items(j.events).map((e, i) => {
        const data = (typeof e.data === "object" && e.data !== null ? e.data : {}) as Record<string, unknown>;
        const status = typeof data.status === "string" ? data.status : undefined;
        return {
          object: "fine_tuning.job.event",
          id: `ftevent-${id}-${i}`,
          created_at: unixSeconds(e.created_at) ?? 0,
          level: status === "FAILED" || status === "FAILED_VALIDATION" ? "error" : "info",
          message: status ? `Job status: ${status}` : String(e.name ?? "event"),
          type: "message",
          data,
        };
      });
      // Newest first, as OpenAI lists them.
      events.sort((a, b) => b.created_at - a.created_at);
      return slice(events, page);
    },
    async checkpoints(id, page): Promise<FtPage> {
      const j = await up.call("GET", path(id));
      const list = items(j.checkpoints).map((c) => {
        const step = typeof c.step_number === "number" ? c.step_number : 0;
        return {
          object: "fine_tuning.job.checkpoint",
          id: `ftckpt-${id}-${step}`,
          created_at: unixSeconds(c.created_at) ?? 0,
          fine_tuned_model_checkpoint: `${String(j.fine_tuned_model ?? j.model ?? "")}:step-${step}`,
          fine_tuning_job_id: id,
          step_number: step,
          metrics: typeof c.metrics === "object" && c.metrics !== null ? c.metrics : {},
        };
      });
      list.sort((a, b) => b.step_number - a.step_number);
      return slice(list, page);
    },
  };
}
