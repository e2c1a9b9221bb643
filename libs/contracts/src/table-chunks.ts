import { createHash } from "node:crypto";

/** Models per chunk on average: ~100-300 KB of JSON for models with a few targets, well under NATS' 1 MB payload. */
export const MODELS_PER_CHUNK = 250;
/** No chunk holds more models than this. */
export const MAX_MODELS_PER_CHUNK = 2 * MODELS_PER_CHUNK;
/** A chunk is closed before it would grow past this many bytes (unless it holds a single model). */
export const CHUNK_MAX_BYTES = 512 * 1024;
/** A table whose JSON is at most this big travels whole (every release reads it). */
export const WHOLE_TABLE_MAX_BYTES = 256 * 1024;

export const chunkId = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 32);

/** FNV-1a of a model's name: where chunks end depends on names, not on positions. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Splits a table too big for one NATS message into a head (everything but the models, plus the chunk
 * ids in order) and model chunks named by their content. A chunk ends after a model whose name hashes to
 * a boundary (one in MODELS_PER_CHUNK), or when it is full: a changed, added or removed model changes
 * the chunk it sits in and leaves the others' ids alone (fixed-size chunks would all shift after a
 * removal), so a change publishes the head plus one or two chunks. A small table is returned whole.
 * `texts`: each model's JSON text, when the caller has them already.
 */
export function splitTable<T extends { models: { name: string }[] }>(
  table: T,
  texts: readonly string[] = table.models.map((m) => JSON.stringify(m)),
): { head: T; chunks: { id: string; text: string }[] } {
  const bytes = texts.map((t) => Buffer.byteLength(t));
  const total = bytes.reduce((a, b) => a + b + 1, Buffer.byteLength(JSON.stringify(Object.assign({}, table, { models: [] }))));
  if (total <= WHOLE_TABLE_MAX_BYTES) return { head: table, chunks: [] };
  const chunks: { id: string; text: string }[] = [];
  let part: string[] = [];
  let size = 2;
  const close = () => {
    const text = `[${part.join(",")}]`;
    chunks.push({ id: chunkId(text), text });
    part = [];
    size = 2;
  };
  table.models.forEach((m, i) => {
    if (part.length > 0 && size + bytes[i]! + 1 > CHUNK_MAX_BYTES) close();
    part.push(texts[i]!);
    size += bytes[i]! + 1;
    if (part.length >= MAX_MODELS_PER_CHUNK || nameHash(m.name) % MODELS_PER_CHUNK === 0) close();
  });
  if (part.length > 0) close();
  return { head: Object.assign({}, table, { models: [], modelChunks: chunks.map((c) => c.id) }), chunks };
}

/**
 * A chunk's models from its text: throws if the text does not hash to its id (the head is signed, so
 * the ids vouch for the chunks) or is not a JSON array.
 */
export function openChunk(id: string, text: string): unknown[] {
  if (chunkId(text) !== id) throw new Error(`model chunk ${id} does not match its id`);
  const models = JSON.parse(text) as unknown;
  if (!Array.isArray(models)) throw new Error(`model chunk ${id} is not a list of models`);
  return models;
}

/**
 * Puts a head's chunks back: `get` fetches a chunk's text by id. Throws if a chunk is missing or its
 * text does not hash to its id.
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
    for (const m of openChunk(id, text)) models.push(m);
  }
  const { modelChunks: _ids, ...rest } = head;
  return Object.assign(rest, { models });
}
