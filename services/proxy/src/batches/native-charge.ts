import { createInterface } from "node:readline";
import type { OpenAIUsage } from "@ai-router/contracts";
import type { FileStore } from "../files/file-store.js";
import { chargeNativeLine, type OfflineUsage } from "../record/offline-usage.js";
import type { RuntimeTable } from "../routing/runtime-table.js";
import type { BatchAuth } from "./batch-auth.js";
import type { BatchState } from "./batch-state.js";

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const count = (n: unknown) => (typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.round(n) : 0);

/** A line's usage in the chat shape (the Responses API says input/output tokens). */
function usageOf(body: unknown): OpenAIUsage | undefined {
  const u = (body as { usage?: Record<string, unknown> } | null)?.usage;
  if (u === undefined || u === null || typeof u !== "object") return undefined;
  const prompt = count(u.prompt_tokens ?? u.input_tokens);
  const completion = count(u.completion_tokens ?? u.output_tokens);
  const details = (u.prompt_tokens_details ?? u.input_tokens_details) as { cached_tokens?: unknown } | undefined;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: count(details?.cached_tokens) },
  };
}

/**
 * Charges the lines a provider's batch API answered, once its output file is copied back: one usage
 * record per answered line (marked with the batch), the router model read from the input file by
 * custom_id. Returns the lines charged.
 */
export async function chargeNativeOutput(
  b: BatchState,
  outputFileId: string,
  files: FileStore,
  table: RuntimeTable,
  auth: BatchAuth,
  usage: OfflineUsage,
): Promise<number> {
  if (b.native === null) return 0;
  const models = new Map<string, string>();
  const input = await files.read(b.input_file_id);
  if (input === undefined) return 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    const l = parse(text) as { custom_id?: unknown; body?: { model?: unknown } } | undefined;
    if (typeof l?.custom_id === "string" && typeof l.body?.model === "string") models.set(l.custom_id, l.body.model);
  }
  const output = await files.read(outputFileId);
  if (output === undefined) return 0;
  const keyName = table.authRequired ? auth.keyOf(b.owner, table)?.name : undefined;
  let n = 0;
  for await (const text of createInterface({ input: output, crlfDelay: Infinity })) {
    const l = parse(text) as { custom_id?: unknown; response?: { status_code?: unknown; body?: unknown } | null } | undefined;
    const model = typeof l?.custom_id === "string" ? models.get(l.custom_id) : undefined;
    if (model === undefined || !l?.response) continue;
    const status = typeof l.response.status_code === "number" ? l.response.status_code : 200;
    chargeNativeLine(
      {
        batchId: b.id,
        customId: l.custom_id as string,
        endpoint: b.endpoint,
        model,
        owner: b.owner,
        provider: b.native.provider,
        status,
        usage: usageOf(l.response.body),
      },
      table,
      usage,
      keyName,
    );
    n++;
  }
  return n;
}
