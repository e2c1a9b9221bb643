import { createHash } from "node:crypto";
import { batchPrice, trainingPricePerMtok } from "@ai-router/config";
import type { OpenAIUsage, Price } from "@ai-router/contracts";
import type { FtJob } from "../fine-tuning/ft-jobs.js";
import type { RuntimeTable } from "../routing/runtime-table.js";
import { finishRecord } from "./finish-record.js";
import { RequestRecord } from "./request-record.js";
import type { UsageRecorder } from "./usage-recorder.js";
import type { UsageSink } from "./usage-sink.js";

/** Where usage records of offline work go: this process's sinks (the ledger publisher in a cluster). */
export interface OfflineUsage {
  sink: UsageSink;
  replica: string;
}

let seq = 0;

/**
 * A record id that is the same each time the same work is charged (a batch read twice, a job seen
 * succeeding by two replicas): the ledger stores an id once, so the work is charged once.
 */
function stableId(...parts: string[]): string {
  const text = parts.join(".");
  return text.length <= 120 ? text : `${parts[0]?.slice(0, 60)}.${createHash("sha256").update(text).digest("base64url")}`;
}

function finish(r: RequestRecord, u: OfflineUsage, status: number): void {
  r.outcome = "served";
  r.answered = true;
  finishRecord(r, {
    replica: u.replica,
    seq: ++seq,
    arrivedAt: Date.now(),
    latencyMs: 0,
    ttfbMs: undefined,
    status,
    requestBytes: 0,
    responseBytes: 0,
    queuedMs: 0,
  });
  u.sink.write(r);
}

/** One line a provider's own batch API answered: the router model and key it ran for, and its usage. */
export interface NativeLine {
  batchId: string;
  customId: string;
  /** The batch's endpoint (`/v1/chat/completions`...). */
  endpoint: string;
  model: string;
  owner: string;
  provider: string;
  status: number;
  usage: OpenAIUsage | undefined;
  /** The record's ingress (default `openai-batch`; Anthropic's Message Batches: `anthropic-batch`). */
  ingress?: string;
}

/**
 * Charges a line of a batch run at the provider's batch API: one usage record marked with the batch,
 * at the provider's batch price (OpenAI's is half the model's) when known, else the model's price.
 */
export function chargeNativeLine(l: NativeLine, table: RuntimeTable, u: OfflineUsage, keyName: string | undefined): void {
  const target = table.models.get(l.model)?.targets.find((t) => t.provider === l.provider);
  const r = new RequestRecord(stableId(l.batchId, l.customId), {
    ingress: l.ingress ?? "openai-batch",
    endpoint: l.endpoint.replace(/^\/v1\//, "").replace(/\//g, "."),
    estimate: "none",
  });
  r.recordId = r.requestId;
  r.model = l.model;
  r.batchId = l.batchId;
  r.keyId = l.owner || null;
  r.key = l.owner ? (keyName ?? l.owner) : null;
  r.provider = l.provider;
  r.upstreamModel = target?.upstreamModel ?? null;
  r.price = target ? batchPrice(target.live.config.type, target.price) : undefined;
  r.usage = l.usage;
  finish(r, u, l.status);
}

/** Charges a fine-tuning job that succeeded: its trained tokens at the provider's training price per token. */
export function chargeFineTuning(j: FtJob, table: RuntimeTable | undefined, u: OfflineUsage, keyName: string | undefined): void {
  const trained = typeof j.last.trained_tokens === "number" && j.last.trained_tokens > 0 ? j.last.trained_tokens : 0;
  const type = table?.providers.get(j.provider)?.config.type;
  const base = typeof j.last.model === "string" ? j.last.model : (table?.models.get(j.model)?.targets[0]?.upstreamModel ?? j.model);
  // The link's own `training_per_mtok` (configured for this provider and model) wins over the bundled price.
  const link = table?.models.get(j.model)?.targets.find((t) => t.provider === j.provider)?.price?.training_per_mtok;
  const perMtok = link ?? (type === undefined ? undefined : trainingPricePerMtok(type, base));
  const r = new RequestRecord(stableId(j.id, "trained"), { ingress: "openai-fine-tuning", endpoint: "fine_tuning.jobs", estimate: "none" });
  r.recordId = r.requestId;
  r.model = j.model;
  r.keyId = j.owner || null;
  r.key = j.owner ? (keyName ?? j.owner) : null;
  r.provider = j.provider;
  r.upstreamModel = base;
  // Trained tokens are charged as input tokens at the training price.
  r.price = perMtok === undefined ? undefined : ({ input_per_mtok: perMtok, output_per_mtok: 0 } satisfies Price);
  r.usage = { prompt_tokens: trained, completion_tokens: 0, total_tokens: trained };
  finish(r, u, 200);
}

/**
 * Standalone: offline work's records also count like requests in this process (the stats, and the
 * owning key's limiter: its budget is what this process spent). In a cluster the ledger does that
 * (the key's spend comes back from the control plane), so records only go to the sinks there.
 */
export function countedSink(sink: UsageSink, usage: () => UsageRecorder | undefined, table: () => RuntimeTable | undefined): UsageSink {
  return {
    write(r) {
      sink.write(r);
      const recorder = usage();
      const t = table();
      if (recorder === undefined || t === undefined) return;
      let limiter: ReturnType<UsageRecorder["keyLimits"]["get"]>;
      if (r.keyId !== null) {
        for (const k of t.clientKeys.values()) if ((k.id ?? k.name) === r.keyId) limiter = recorder.keyLimits.get(k.sha256);
      }
      recorder.finished(r, limiter);
    },
  };
}
