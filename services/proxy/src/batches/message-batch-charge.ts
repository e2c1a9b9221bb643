import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { OpenAIUsage } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { toOpenAIUsage } from "@ai-router/providers";
import { chargeNativeLine, type OfflineUsage } from "../record/offline-usage.js";
import type { RuntimeTable } from "../routing/runtime-table.js";
import { AnthropicBatches, type MessageBatchLinks, type NativeMessageBatch } from "./message-batch-native.js";
import { MESSAGES_ENDPOINT } from "./message-batch-shapes.js";

const count = (n: unknown) => (typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.round(n) : 0);

/** A result's usage as the chat shape counts it; only its numbers are read (the file is the provider's). */
function usageOf(u: Record<string, unknown> | undefined): OpenAIUsage | undefined {
  if (u === undefined || u === null || typeof u !== "object") return undefined;
  return toOpenAIUsage({
    input_tokens: count(u.input_tokens),
    output_tokens: count(u.output_tokens),
    cache_read_input_tokens: count(u.cache_read_input_tokens),
    cache_creation_input_tokens: count(u.cache_creation_input_tokens),
  });
}

type ResultLine = { custom_id?: unknown; result?: { type?: unknown; message?: { model?: unknown; usage?: Record<string, unknown> } } };

/**
 * Charges a Message Batch passed through to Anthropic from its results JSONL: one usage record per
 * succeeded request (ingress `anthropic-batch`, the batch's id, the request's custom_id in the record
 * id, so a batch charged twice is stored once by the ledger) at the provider's batch price. Returns
 * the requests charged.
 */
export async function chargeMessageBatch(
  link: NativeMessageBatch,
  results: Readable,
  table: RuntimeTable,
  usage: OfflineUsage,
  keyName: string | undefined,
): Promise<number> {
  let n = 0;
  for await (const text of createInterface({ input: results, crlfDelay: Infinity })) {
    let l: ResultLine;
    try {
      l = JSON.parse(text) as ResultLine;
    } catch {
      continue;
    }
    if (typeof l.custom_id !== "string" || l.result?.type !== "succeeded") continue;
    const upstream = typeof l.result.message?.model === "string" ? l.result.message.model : "";
    const model = link.models[upstream] ?? Object.values(link.models)[0];
    if (model === undefined) continue;
    const line = {
      batchId: link.id,
      customId: l.custom_id,
      endpoint: MESSAGES_ENDPOINT,
      model,
      owner: link.owner,
      provider: link.provider,
      status: 200,
      usage: usageOf(l.result.message?.usage),
      ingress: "anthropic-batch",
    };
    chargeNativeLine(line, table, usage, keyName);
    n++;
  }
  return n;
}

/**
 * Charges a passed-through batch once, when Anthropic's answer `there` says it ended: its results read
 * and charged, the link saved as charged (a proxy's read, or the cluster worker's poll).
 */
export async function chargeIfEnded(
  link: NativeMessageBatch,
  there: Record<string, unknown>,
  at: { api: AnthropicBatches; links: MessageBatchLinks; table: RuntimeTable; usage: OfflineUsage; keyName: string | undefined },
): Promise<void> {
  if (link.charged || there.processing_status !== "ended") return;
  await chargeMessageBatch(link, await at.api.results(link.upstream_id), at.table, at.usage, at.keyName);
  link.charged = true;
  await at.links.save(link);
}

/**
 * One pass over the passed-through batches not charged yet: each read at Anthropic and charged if it
 * ended (the standalone poll's pass and the cluster worker's). `keyName`: the owning key's name for the
 * records (undefined: the owner is the name). Returns how many were open and how many it charged.
 */
export async function chargeEndedBatches(o: {
  links: MessageBatchLinks;
  table: RuntimeTable;
  usage: OfflineUsage;
  logger: Logger;
  keyName: (link: NativeMessageBatch) => string | undefined;
}): Promise<{ open: number; charged: number }> {
  const open = await o.links.uncharged();
  let charged = 0;
  for (const link of open) {
    const live = o.table.providers.get(link.provider);
    if (live === undefined) continue;
    const api = new AnthropicBatches(live);
    try {
      const at = { api, links: o.links, table: o.table, usage: o.usage, keyName: o.keyName(link) };
      await chargeIfEnded(link, await api.retrieve(link.upstream_id), at);
      if (link.charged) charged++;
    } catch (err) {
      o.logger.warn({ err: (err as Error).message, batch: link.id }, "message batch not read");
    }
  }
  return { open: open.length, charged };
}
