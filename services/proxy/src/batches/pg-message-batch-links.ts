import type pg from "pg";
import { type MessageBatchLinks, NativeMessageBatch } from "./message-batch-native.js";

const toLink = (r: { state: unknown }): NativeMessageBatch | undefined => {
  const l = NativeMessageBatch.safeParse(r.state);
  return l.success ? l.data : undefined;
};

/** Message Batches passed through to Anthropic, in PostgreSQL (cluster mode; `router_message_batches`): every replica answers for every one. */
export class PgMessageBatchLinks implements MessageBatchLinks {
  constructor(private readonly pool: pg.Pool) {}

  async get(id: string): Promise<NativeMessageBatch | undefined> {
    const r = await this.pool.query<{ state: unknown }>("SELECT state FROM router_message_batches WHERE id = $1", [id]);
    return r.rows[0] && toLink(r.rows[0]);
  }

  async owned(owner: string): Promise<NativeMessageBatch[]> {
    // Bounded like the router's own batches a list reads (message-batches.ts): the newest 10,000.
    const r = await this.pool.query<{ state: unknown }>(
      "SELECT state FROM router_message_batches WHERE owner = $1 ORDER BY created_ms DESC LIMIT 10000",
      [owner],
    );
    return r.rows.map(toLink).filter((l): l is NativeMessageBatch => l !== undefined);
  }

  /** The links not charged yet (the worker's poll reads them at Anthropic until they ended). */
  async uncharged(limit = 1000): Promise<NativeMessageBatch[]> {
    const r = await this.pool.query<{ state: unknown }>(
      "SELECT state FROM router_message_batches WHERE NOT coalesce((state->>'charged')::boolean, false) ORDER BY created_ms LIMIT $1",
      [limit],
    );
    return r.rows.map(toLink).filter((l): l is NativeMessageBatch => l !== undefined);
  }

  async remove(id: string): Promise<void> {
    await this.pool.query("DELETE FROM router_message_batches WHERE id = $1", [id]);
  }

  async save(l: NativeMessageBatch): Promise<void> {
    await this.pool.query(
      `INSERT INTO router_message_batches (id, owner, created_ms, state) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state`,
      [l.id, l.owner, l.created_ms, JSON.stringify(NativeMessageBatch.parse(l))],
    );
  }
}
