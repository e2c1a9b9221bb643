import { Readable } from "node:stream";
import type { FileStore } from "../files/file-store.js";
import { type BatchState, type BatchStore, nowS } from "./batch-state.js";
import type { ResultLine } from "./line-executor.js";

/** Splits the results into the output file (2xx answers) and the error file (the rest), then the final status. */
export async function finalizeBatch(files: FileStore, batches: BatchStore, b: BatchState, cancelled: boolean): Promise<void> {
  const split = async (ok: boolean): Promise<number> => {
    async function* lines() {
      for await (const text of batches.results(b.id)) {
        const r = JSON.parse(text) as ResultLine;
        const good = r.error === null && r.response !== null && r.response.status_code < 300;
        if (good === ok) yield Buffer.from(`${text}\n`);
      }
    }
    return files.write(ok ? b.planned_output_id : b.planned_error_id, Readable.from(lines()));
  };
  const created_at = nowS();
  for (const ok of [true, false]) {
    const fileId = ok ? b.planned_output_id : b.planned_error_id;
    const bytes = await split(ok);
    if (bytes === 0 && !ok) {
      await files.remove(fileId);
      continue;
    }
    await files.saveMeta({
      id: fileId,
      owner: b.owner,
      bytes,
      created_at,
      filename: ok ? "batch_output.jsonl" : "batch_errors.jsonl",
      purpose: "batch_output",
    });
    if (ok) b.output_file_id = fileId;
    else b.error_file_id = fileId;
  }
  const expired = nowS() > b.expires_at;
  b.status = cancelled ? "cancelled" : expired ? "expired" : "completed";
  if (cancelled) b.cancelled_at = nowS();
  else if (expired) b.expired_at = nowS();
  else b.completed_at = nowS();
  await batches.save(b);
  await batches.dropResults(b.id);
}
