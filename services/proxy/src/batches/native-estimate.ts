import { createInterface } from "node:readline";
import { batchPrice } from "@ai-router/config";
import type { TableClientKey } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { FileStore } from "../files/file-store.js";
import { BATCH_TYPES } from "../fine-tuning/ft-upstream.js";
import type { RequestContext } from "../handlers/context.js";
import { DEFAULT_OUTPUT_CAP } from "../limits/reserve.js";
import type { RuntimeTable } from "../routing/runtime-table.js";
import type { BatchState } from "./batch-state.js";
import { nativeEndpoint } from "./native-dialects.js";

/** What a batch at a provider's batch API holds of its key's budget until it ends (cluster: in Redis). */
export type BudgetHold = { tpmKey: string; spendKey: string; reservedUsd: number };

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * The most a batch can cost when it would run at a provider's own batch API (every line's model served
 * only by one provider whose type has one, as `NativeBatches.plan` decides): per line, the body's bytes
 * / 4 as prompt tokens plus `max_tokens` (or the default cap) at the provider's batch price. Undefined:
 * the router runs the batch itself (each line is then checked as a request).
 */
export async function nativeEstimateUsd(
  files: FileStore,
  inputId: string,
  endpoint: string,
  table: RuntimeTable,
): Promise<number | undefined> {
  const input = await files.read(inputId);
  if (input === undefined) return undefined;
  let provider: string | undefined;
  let usd = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    if (!text.trim()) continue;
    const line = parse(text) as
      | { url?: unknown; body?: { model?: unknown; max_tokens?: unknown; max_completion_tokens?: unknown; max_output_tokens?: unknown } }
      | undefined;
    if (line?.url !== endpoint || typeof line.body?.model !== "string") return undefined;
    const model = table.models.get(line.body.model);
    const only = model?.targets[0];
    if (model === undefined || only === undefined || model.targets.some((t) => t.provider !== only.provider)) return undefined;
    if (!BATCH_TYPES.has(only.live.config.type) || (provider !== undefined && provider !== only.provider)) return undefined;
    // Endpoints the type's batch API lacks (Azure's responses, completions) are run by the router.
    if (nativeEndpoint(only.live.config, endpoint) === undefined) return undefined;
    provider = only.provider;
    const price = batchPrice(only.live.config.type, only.price);
    if (price === undefined) continue;
    const cap = line.body.max_completion_tokens ?? line.body.max_tokens ?? line.body.max_output_tokens;
    const out = typeof cap === "number" && cap > 0 ? cap : endpoint === "/v1/embeddings" ? 0 : DEFAULT_OUTPUT_CAP;
    usd += (Math.ceil(Buffer.byteLength(text) / 4) * price.input_per_mtok + out * price.output_per_mtok) / 1e6;
  }
  return provider === undefined ? undefined : usd;
}

/**
 * Checks a batch that would run at a provider's batch API against its key's budget when it is
 * created, and holds its estimated cost until it ends: refused (429 insufficient_quota) when the key's
 * spend plus the estimate exceeds the budget. Lines the router runs are checked one by one instead.
 */
export async function holdBudget(ctx: RequestContext, files: FileStore, b: BatchState): Promise<BudgetHold | number | undefined> {
  const key: TableClientKey | undefined = ctx.key;
  const limiter = ctx.limiter;
  if (key?.budgetUsd === undefined || limiter === undefined) return undefined;
  const est = await nativeEstimateUsd(files, b.input_file_id, b.endpoint, ctx.table);
  if (est === undefined || est <= 0) return undefined;
  // What is spent and held already, cluster-wide when counted in Redis: earlier batches' holds included.
  const shared = ctx.shared === undefined ? undefined : await ctx.shared.committedUsd(key);
  const spent = Math.max(limiter.committedUsd(), shared ?? 0);
  if (spent + est > key.budgetUsd) {
    throw new RouterError(
      "insufficient_quota",
      `This batch may cost up to $${est.toFixed(4)}; key ${key.name} has $${Math.max(0, key.budgetUsd - spent).toFixed(4)} of its budget left.`,
    );
  }
  if (ctx.shared === undefined) {
    const refused = limiter.reserve(est);
    if (refused) throw refused.error;
    return est;
  }
  const verdict = await ctx.shared.admit(limiter, key, est, Date.now());
  if (verdict.refusal) throw verdict.refusal.error;
  return verdict.reservation;
}
