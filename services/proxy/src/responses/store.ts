/** A stored response: what `GET /v1/responses/{id}`, `input_items` and `previous_response_id` need. */
export interface StoredResponse {
  /** SHA-256 of the client key that created it ("" without client auth): only that key sees it. */
  owner: string;
  /** The Response object as the client got it. */
  response: Record<string, unknown>;
  /** The request's own input items, with ids (`GET .../input_items`). */
  input: Record<string, unknown>[];
  /** The whole conversation so far (history, input, output): the input of a follow-up turn. */
  conversation: Record<string, unknown>[];
}

/** Where responses are kept: memory (standalone, bounded) or Redis (cluster mode, shared by replicas). */
export interface ResponseStore {
  get(id: string, owner: string): Promise<StoredResponse | undefined>;
  put(id: string, value: StoredResponse): Promise<void>;
  /** True when it existed (and belonged to `owner`). */
  delete(id: string, owner: string): Promise<boolean>;
  close?(): Promise<void>;
}

export interface MemoryStoreOptions {
  ttlMs: number;
  /** Most responses kept; the least recently used go first. */
  maxEntries: number;
  now?: () => number;
}

/** Bounded in-process store: LRU by count, each entry expiring after the TTL. */
export class MemoryResponseStore implements ResponseStore {
  private readonly entries = new Map<string, { value: StoredResponse; expires: number }>();
  private readonly now: () => number;

  constructor(private readonly opts: MemoryStoreOptions) {
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(id: string, owner: string): Promise<StoredResponse | undefined> {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    if (e.value.owner !== owner) return undefined;
    // Most recently used last: eviction takes the first.
    this.entries.delete(id);
    this.entries.set(id, e);
    return e.value;
  }

  async put(id: string, value: StoredResponse): Promise<void> {
    this.entries.delete(id);
    this.entries.set(id, { value, expires: this.now() + this.opts.ttlMs });
    while (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  async delete(id: string, owner: string): Promise<boolean> {
    const e = this.entries.get(id);
    if (!e || e.value.owner !== owner || e.expires <= this.now()) return false;
    this.entries.delete(id);
    return true;
  }
}

/** The subset of an ioredis client the Redis store uses. */
export interface RedisLike {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, px: "PX", ms: number): Promise<unknown>;
  del(key: string): Promise<number>;
  quit(): Promise<unknown>;
}

/** Cluster store: one Redis key per response (`{prefix}{id}`), expiring with the TTL. */
export class RedisResponseStore implements ResponseStore {
  constructor(
    private readonly redis: RedisLike,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  async get(id: string, owner: string): Promise<StoredResponse | undefined> {
    const raw = await this.redis.get(this.prefix + id);
    if (!raw) return undefined;
    try {
      const v = JSON.parse(raw) as StoredResponse;
      return v.owner === owner ? v : undefined;
    } catch {
      return undefined;
    }
  }

  async put(id: string, value: StoredResponse): Promise<void> {
    await this.redis.set(this.prefix + id, JSON.stringify(value), "PX", this.ttlMs);
  }

  async delete(id: string, owner: string): Promise<boolean> {
    if (!(await this.get(id, owner))) return false;
    return (await this.redis.del(this.prefix + id)) > 0;
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
