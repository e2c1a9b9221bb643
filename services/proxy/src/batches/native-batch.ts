import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { Logger } from "@ai-router/logger";
import type { FileStore } from "../files/file-store.js";
import { BatchLine } from "../files/jsonl-check.js";
import { BATCH_TYPES, FineTuningUpstream } from "../fine-tuning/ft-upstream.js";
import type { OfflineUsage } from "../record/offline-usage.js";
import type { RuntimeTable } from "../routing/runtime-table.js";
import type { BatchAuth } from "./batch-auth.js";
import { type BatchState, type BatchStore, nowS } from "./batch-state.js";
import { chargeNativeOutput } from "./native-charge.js";
import { nativeEndpoint } from "./native-dialects.js";

/** OpenAI's batch statuses that end a batch. */
const ENDS = new Set(["completed", "failed", "expired", "cancelled"]);

/**
 * Submits a batch to the provider's own batch API when every line's model is served by one provider
 * that has one (and the owning key may use every model): the file is rewritten with the provider's
 * model names and uploaded there, the batch created there, polled, and its result files copied back
 * under the batch's planned ids (custom_ids unchanged). Otherwise the router runs the batch itself.
 */
export class NativeBatches {
  constructor(
    private readonly files: FileStore,
    private readonly batches: BatchStore,
    private readonly auth: BatchAuth,
    private readonly pollMs: number,
    /** Where the answered lines are charged (usage records); none: not charged. */
    private readonly usage?: OfflineUsage,
  ) {}

  /** The provider every line would go to, with each model's upstream name; undefined: run it here. */
  async plan(b: BatchState, table: RuntimeTable): Promise<{ provider: string; names: Map<string, string> } | undefined> {
    const input = await this.files.read(b.input_file_id);
    if (input === undefined) return undefined;
    const key = table.authRequired ? this.auth.keyOf(b.owner, table) : undefined;
    if (table.authRequired && key === undefined) return undefined;
    let provider: string | undefined;
    const names = new Map<string, string>();
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      if (!text.trim()) continue;
      const line = BatchLine.safeParse(JSON.parse(text));
      if (!line.success || line.data.url !== b.endpoint) return undefined;
      const name = String(line.data.body.model);
      if (names.has(name)) continue;
      const model = table.models.get(name);
      if (model === undefined || (key?.models && !key.models.includes(name))) return undefined;
      const providers = new Set(model.targets.map((t) => t.provider));
      const only = model.targets[0];
      if (providers.size !== 1 || only === undefined || !BATCH_TYPES.has(only.live.config.type)) return undefined;
      if (nativeEndpoint(only.live.config, b.endpoint) === undefined) return undefined;
      if (provider !== undefined && provider !== only.provider) return undefined;
      provider = only.provider;
      names.set(name, only.upstreamModel);
    }
    return provider === undefined ? undefined : { provider, names };
  }

  /** Submits the batch to the provider's batch API when one provider with it serves every line (else: the router runs it). */
  async submitIfOne(b: BatchState, table: RuntimeTable | undefined, logger: Logger): Promise<void> {
    const plan = table ? await this.plan(b, table).catch(() => undefined) : undefined;
    if (plan === undefined || table === undefined) return;
    await this.submit(b, table, plan).catch((err) => {
      logger.warn({ err, batch: b.id }, "native batch submission failed; the router runs the batch");
      b.native = null;
    });
  }

  /** Uploads the rewritten file and creates the batch at the provider; saves where it runs. */
  async submit(b: BatchState, table: RuntimeTable, plan: { provider: string; names: Map<string, string> }): Promise<void> {
    const live = table.providers.get(plan.provider);
    const input = await this.files.read(b.input_file_id);
    if (live === undefined || input === undefined) throw new Error("provider or input gone");
    const up = new FineTuningUpstream(live);
    const endpoint = nativeEndpoint(live.config, b.endpoint) ?? b.endpoint;
    async function* rewritten() {
      for await (const text of createInterface({ input: input as Readable, crlfDelay: Infinity })) {
        if (!text.trim()) continue;
        const line = JSON.parse(text) as { url: string; body: { model: string } };
        line.body.model = plan.names.get(line.body.model) ?? line.body.model;
        line.url = endpoint;
        yield Buffer.from(`${JSON.stringify(line)}\n`);
      }
    }
    const fileId = await up.uploadFile(Readable.from(rewritten()), "batch.jsonl", "batch");
    const created = await up.call("POST", "/batches", JSON.stringify({ input_file_id: fileId, endpoint, completion_window: "24h" }));
    if (typeof created.id !== "string") throw new Error("the provider returned no batch id");
    b.native = { provider: plan.provider, upstream_id: created.id };
    await this.batches.save(b);
  }

  /**
   * Polls the provider's batch until it ends (a cancel asked here is sent there), then copies its output
   * and error files back. Returns false when `stopped()` (the process is stopping; resumed at start).
   */
  async follow(id: string, table: () => RuntimeTable | undefined, stopped: () => boolean, cancelled: () => boolean): Promise<boolean> {
    let sentCancel = false;
    for (;;) {
      const b = await this.batches.get(id);
      if (b?.native == null) return true;
      const live = table()?.providers.get(b.native.provider);
      if (live === undefined) return true;
      const up = new FineTuningUpstream(live);
      if ((cancelled() || b.status === "cancelling") && !sentCancel) {
        sentCancel = true;
        await up.call("POST", `/batches/${encodeURIComponent(b.native.upstream_id)}/cancel`, "{}");
      }
      const there = await up.call("GET", `/batches/${encodeURIComponent(b.native.upstream_id)}`);
      const counts = there.request_counts as BatchState["request_counts"] | undefined;
      if (counts) b.request_counts = { total: counts.total, completed: counts.completed, failed: counts.failed };
      const status = String(there.status);
      if (ENDS.has(status)) {
        for (const [field, ours, name] of [
          ["output_file_id", b.planned_output_id, "batch_output.jsonl"],
          ["error_file_id", b.planned_error_id, "batch_errors.jsonl"],
        ] as const) {
          const theirs = there[field];
          if (typeof theirs !== "string" || !theirs) continue;
          const bytes = await this.files.write(ours, await up.download(theirs));
          await this.files.saveMeta({ id: ours, owner: b.owner, bytes, created_at: nowS(), filename: name, purpose: "batch_output" });
          b[field] = ours;
          const t = table();
          if (field === "output_file_id" && this.usage !== undefined && t !== undefined) {
            await chargeNativeOutput(b, ours, this.files, t, this.auth, this.usage);
          }
        }
        b.status = status as BatchState["status"];
        b[`${status as "completed" | "failed" | "expired" | "cancelled"}_at`] = nowS();
        await this.batches.save(b);
        return true;
      }
      if (status === "finalizing") b.finalizing_at ??= nowS();
      await this.batches.save(b);
      if (stopped()) return false;
      await new Promise((r) => setTimeout(r, this.pollMs).unref());
    }
  }
}
