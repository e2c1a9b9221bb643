import { pipeline } from "node:stream/promises";
import { RouterError } from "@ai-router/errors";
import { newObjectId, ownerOf } from "../files/files-endpoints.js";
import type { RequestContext } from "../handlers/context.js";
import type { OfflineUsage } from "../record/offline-usage.js";
import { chargeIfEnded } from "./message-batch-charge.js";
import { AnthropicBatches, type MessageBatchLinks, type NativeMessageBatch, planNative } from "./message-batch-native.js";
import { originOf } from "./message-batch-shapes.js";

/** Anthropic's answer to deleting a batch that has not ended (a 400 `invalid_request_error`). */
export const stillRunning = (id: string) =>
  new RouterError(
    "invalid_request",
    `Message Batch ${id.slice(0, 80)} cannot be deleted while it is processing; cancel it first and delete it once it has ended.`,
  );

/** Anthropic's batch with the router's id and results URL in place of Anthropic's. */
function withOurIds(there: Record<string, unknown>, link: NativeMessageBatch, origin: string) {
  return Object.assign({}, there, {
    id: link.id,
    type: "message_batch",
    results_url: there.results_url ? `${origin}/v1/messages/batches/${encodeURIComponent(link.id)}/results` : null,
  });
}

/**
 * Message Batches passed through to Anthropic: created there (models renamed to the provider's, the key
 * allowed every one), then read, cancelled and their results streamed from there, under the router's
 * ids and owned by the creating key.
 */
export function nativeMessageBatches(links: MessageBatchLinks, usage?: OfflineUsage, passed?: () => void) {
  const at = (ctx: RequestContext, link: NativeMessageBatch) => {
    const live = ctx.table.providers.get(link.provider);
    if (live === undefined)
      throw new RouterError("no_available_provider", `The provider that runs this batch (${link.provider}) is no longer configured.`);
    return new AnthropicBatches(live);
  };
  const read = async (ctx: RequestContext, link: NativeMessageBatch) => {
    const there = await at(ctx, link).retrieve(link.upstream_id);
    // Charged once, when first seen ended; a charge that fails (the results unreadable now) is tried at the next read.
    if (usage !== undefined) {
      const charge = { api: at(ctx, link), links, table: ctx.table, usage, keyName: ctx.key?.name };
      await chargeIfEnded(link, there, charge).catch(() => {});
    }
    return withOurIds(there, link, originOf(ctx));
  };

  return {
    /** Creates the batch at Anthropic when every request's model is served there only; undefined otherwise. */
    async create(ctx: RequestContext, requests: { custom_id: string; params: Record<string, unknown> }[]) {
      // A key with a budget has its batch run by the router, each request checked before it is sent (a batch
      // passed through is charged only once it ended, past any budget check).
      if (ctx.key?.budgetUsd !== undefined) return undefined;
      const models = new Set(requests.map((r) => String(r.params.model)));
      const allowed = ctx.key?.models;
      if (allowed && [...models].some((m) => !allowed.includes(m))) return undefined;
      const plan = planNative(ctx.table, models);
      const live = plan && ctx.table.providers.get(plan.provider);
      if (plan === undefined || live === undefined) return undefined;
      const renamed = requests.map((r) => ({
        custom_id: r.custom_id,
        params: Object.assign({}, r.params, { model: plan.names.get(String(r.params.model)) }),
      }));
      const there = await new AnthropicBatches(live).create(renamed);
      if (typeof there.id !== "string") throw new RouterError("upstream_bad_response", "The provider returned no batch id.");
      const link: NativeMessageBatch = {
        id: newObjectId("msgbatch_"),
        owner: ownerOf(ctx),
        provider: plan.provider,
        upstream_id: there.id,
        created_ms: Date.now(),
        models: Object.fromEntries([...plan.names].map(([router, upstream]) => [upstream, router])),
        charged: false,
      };
      await links.save(link);
      passed?.();
      return withOurIds(there, link, originOf(ctx));
    },
    retrieve: read,
    cancel: async (ctx: RequestContext, link: NativeMessageBatch) =>
      withOurIds(await at(ctx, link).cancel(link.upstream_id), link, originOf(ctx)),
    /**
     * Deletes an ended batch there and forgets it here; charged first (a batch deleted before it was
     * charged could never be: its results go with it), so a charge that fails now fails the delete.
     */
    async remove(ctx: RequestContext, link: NativeMessageBatch) {
      const there = await read(ctx, link);
      if (there.processing_status !== "ended") throw stillRunning(link.id);
      if (usage !== undefined && !(await links.get(link.id))?.charged)
        throw new RouterError("upstream_unreachable", "The batch's results could not be read to charge it; try again.");
      await at(ctx, link).delete(link.upstream_id);
      await links.remove(link.id);
      return { id: link.id, type: "message_batch_deleted" };
    },
    async results(ctx: RequestContext, link: NativeMessageBatch) {
      const body = await at(ctx, link).results(link.upstream_id);
      ctx.res.writeHead(200, { "content-type": "application/binary", "x-request-id": ctx.id });
      await pipeline(body, ctx.res).catch(() => ctx.res.destroy());
    },
  };
}
