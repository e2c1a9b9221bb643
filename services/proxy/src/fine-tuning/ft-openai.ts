import type { Readable } from "node:stream";
import type { FineTuningApi, FtCreate } from "./ft-api.js";
import { pageQuery } from "./ft-api.js";
import type { FineTuningUpstream } from "./ft-upstream.js";

/** Azure's statuses of older API versions, as OpenAI's. */
const STATUS: Record<string, string> = {
  notRunning: "queued",
  pending: "queued",
  created: "queued",
  canceled: "cancelled",
};

/** A job object with its status as OpenAI names it. */
function toOpenAIJob(j: Record<string, unknown>): Record<string, unknown> {
  const status = typeof j.status === "string" ? (STATUS[j.status] ?? j.status) : "queued";
  return Object.assign({}, j, { status });
}

const list = (l: Record<string, unknown>) => ({
  data: Array.isArray(l.data) ? (l.data.filter((e) => typeof e === "object" && e !== null) as Record<string, unknown>[]) : [],
  has_more: l.has_more === true,
});

/**
 * OpenAI's fine-tuning API (`/files`, `/fine_tuning/jobs`), also Azure OpenAI's (the same paths under
 * `{endpoint}/openai`, with `api-key` and `api-version`: the upstream's style). Azure's fine-tuned model
 * answers chat once deployed under the same name (the router sends it to `/deployments/{name}`).
 */
export function openAIFineTuning(up: FineTuningUpstream, o: { pause: boolean }): FineTuningApi {
  const path = (id: string) => `/fine_tuning/jobs/${encodeURIComponent(id)}`;
  const api: FineTuningApi = {
    uploadFile: (bytes: Readable, filename: string) => up.uploadFile(bytes, filename),
    async create(req: FtCreate) {
      const body: Record<string, unknown> = { model: req.model, training_file: req.training_file };
      if (req.validation_file) body.validation_file = req.validation_file;
      for (const k of ["hyperparameters", "method", "suffix", "seed", "metadata"] as const) if (req[k] != null) body[k] = req[k];
      return toOpenAIJob(await up.call("POST", "/fine_tuning/jobs", JSON.stringify(body)));
    },
    retrieve: async (id) => toOpenAIJob(await up.call("GET", path(id))),
    cancel: async (id) => toOpenAIJob(await up.call("POST", `${path(id)}/cancel`, "{}")),
    events: async (id, page) => list(await up.call("GET", `${path(id)}/events${pageQuery(page)}`)),
    checkpoints: async (id, page) => list(await up.call("GET", `${path(id)}/checkpoints${pageQuery(page)}`)),
  };
  if (o.pause) {
    api.pause = async (id) => toOpenAIJob(await up.call("POST", `${path(id)}/pause`, "{}"));
    api.resume = async (id) => toOpenAIJob(await up.call("POST", `${path(id)}/resume`, "{}"));
  }
  return api;
}
