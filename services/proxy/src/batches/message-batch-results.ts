import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RouterError } from "@ai-router/errors";
import type { FileStore } from "../files/file-store.js";
import type { RequestContext } from "../handlers/context.js";
import type { BatchState } from "./batch-state.js";
import type { ResultLine } from "./line-executor.js";
import { processingStatus, toMessageResult } from "./message-batch-shapes.js";

/** The JSON texts of a stored JSONL file, one a line (none when it is gone). */
async function* jsonLines(files: FileStore, id: string | null): AsyncGenerator<string> {
  if (id === null) return;
  const input = await files.read(id);
  if (input === undefined) return;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) if (text.trim()) yield text;
}

/**
 * `GET /v1/messages/batches/{id}/results` of a batch the router ran: its output and error files as
 * Anthropic's results JSONL (streamed, one line at a time), then every request that never ran as
 * `canceled` (the batch was cancelled) or `expired`: each custom_id exactly once.
 */
export async function messageBatchResults(ctx: RequestContext, files: FileStore, b: BatchState): Promise<void> {
  if (processingStatus(b) !== "ended") {
    throw new RouterError("invalid_request", `Message Batch ${b.id} has not yet ended; its results are available once it has.`, {
      publicCode: null,
    });
  }
  async function* results(): AsyncGenerator<Buffer> {
    const seen = new Set<string>();
    for (const id of [b.output_file_id, b.error_file_id]) {
      for await (const text of jsonLines(files, id)) {
        const r = JSON.parse(text) as ResultLine;
        seen.add(r.custom_id);
        yield Buffer.from(`${JSON.stringify(toMessageResult(r))}\n`);
      }
    }
    const never = b.status === "cancelled" ? "canceled" : b.status === "failed" ? "errored" : "expired";
    for await (const text of jsonLines(files, b.input_file_id)) {
      const custom_id = (JSON.parse(text) as { custom_id: string }).custom_id;
      if (seen.has(custom_id)) continue;
      const result =
        never === "errored"
          ? {
              type: "errored",
              error: { type: "error", error: { type: "api_error", message: "The batch failed before this request ran." } },
            }
          : { type: never };
      yield Buffer.from(`${JSON.stringify({ custom_id, result })}\n`);
    }
  }
  ctx.res.writeHead(200, { "content-type": "application/binary", "x-request-id": ctx.id });
  await pipeline(Readable.from(results()), ctx.res).catch(() => ctx.res.destroy());
}
