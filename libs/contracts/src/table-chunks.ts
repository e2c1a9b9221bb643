import { createHash } from "node:crypto";

/** Models per chunk: ~100-300 KB of JSON for models with a few targets, well under NATS' 1 MB payload. */
export const MODELS_PER_CHUNK = 250;
/** A table whose JSON is at most this big travels whole (every release reads it). */
export const WHOLE_TABLE_MAX_BYTES = 256 * 1024;

export const chunkId = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 32);

/**
 * Splits a table too big for one NATS message into a head (everything but the models, plus the chunk
 * ids in order) and model chunks of MODELS_PER_CHUNK, named by their content: a chunk whose models did
 * not change keeps its id, so a change publishes the head plus the chunks it touched. A small table is
 * returned whole.
 */
export function splitTable<T extends { models: unknown[] }>(
  table: T,
  text = JSON.stringify(table),
): { head: T; chunks: { id: string; text: string }[] } {
  if (Buffer.byteLength(text) <= WHOLE_TABLE_MAX_BYTES) return { head: table, chunks: [] };
  const chunks: { id: string; text: string }[] = [];
  for (let i = 0; i < table.models.length; i += MODELS_PER_CHUNK) {
    const t = JSON.stringify(table.models.slice(i, i + MODELS_PER_CHUNK));
    chunks.push({ id: chunkId(t), text: t });
  }
  return { head: Object.assign({}, table, { models: [], modelChunks: chunks.map((c) => c.id) }), chunks };
}

/**
 * Puts a head's chunks back: `get` fetches a chunk's text by id. Throws if a chunk is missing or its
 * text does not hash to its id (the head is signed, so the ids vouch for the chunks).
 */
export async function assembleTable(
  head: Record<string, unknown>,
  get: (id: string) => Promise<string | undefined>,
): Promise<Record<string, unknown>> {
  const ids = head.modelChunks;
  if (!Array.isArray(ids)) return head;
  const models: unknown[] = [];
  for (const id of ids as string[]) {
    const text = await get(id);
    if (text === undefined) throw new Error(`model chunk ${id} is missing`);
    if (chunkId(text) !== id) throw new Error(`model chunk ${id} does not match its id`);
    models.push(...(JSON.parse(text) as unknown[]));
  }
  const { modelChunks: _ids, ...rest } = head;
  return Object.assign(rest, { models });
}
