import { decodeStored, encodeStored, type StoredEntry, type StoredResponse } from "./stored-codec.js";

export type { StoredEntry, StoredResponse, TurnRef } from "./stored-codec.js";

/** Where responses are kept: memory (standalone, bounded by bytes) or Redis (cluster mode, shared by replicas). */
export interface ResponseStore {
  get(id: string, owner: string): Promise<StoredEntry | undefined>;
  /** Several at once (one round trip for Redis), in order. */
  getMany(ids: readonly string[], owner: string): Promise<(StoredEntry | undefined)[]>;
  /**
   * Stores a response. `keepAlive` names the earlier turns of its conversation: they live as long as
   * the newest turn (a conversation is a chain, and a lost link ends it).
   */
  put(id: string, value: StoredResponse, keepAlive?: readonly string[]): Promise<void>;
  /** True when it existed (and belonged to `owner`). */
  delete(id: string, owner: string): Promise<boolean>;
  close?(): Promise<void>;
}

/** Bytes of stored responses kept in memory by default: the proxy's memory budget comes first. */
export const DEFAULT_RESPONSES_MAX_BYTES = 64 * 1024 * 1024;
/** What an entry costs beyond its bytes (the map slot, its id, the Buffer object). */
const ENTRY_OVERHEAD = 160;

export interface MemoryStoreOptions {
  ttlMs: number;
  /** Most responses kept; the least recently used go first. */
  maxEntries: number;
  /** Most bytes kept (default DEFAULT_RESPONSES_MAX_BYTES); the least recently used go first. */
  maxBytes?: number;
  now?: () => number;
}

interface MemoryEntry {
  owner: string;
  data: Buffer;
  expires: number;
}

/**
 * Bounded in-process store: LRU by count and by bytes, each entry expiring after the TTL. Entries are
 * kept serialized (off the V8 heap, their size exact), so 500 responses of 6 MB can no longer take a
 * proxy past its heap: the oldest are evicted first and their ids answer 404 like unknown ones.
 */
export class MemoryResponseStore implements ResponseStore {
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly now: () => number;
  private readonly maxBytes: number;
  private total = 0;

  constructor(private readonly opts: MemoryStoreOptions) {
    this.now = opts.now ?? Date.now;
    this.maxBytes = opts.maxBytes ?? DEFAULT_RESPONSES_MAX_BYTES;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes held, overhead included: never above `maxBytes`. */
  get bytes(): number {
    return this.total;
  }

  async get(id: string, owner: string): Promise<StoredEntry | undefined> {
    const e = this.live(id);
    if (!e || e.owner !== owner) return undefined;
    // Most recently used last: eviction takes the first.
    this.entries.delete(id);
    this.entries.set(id, e);
    return decodeStored(e.data.toString("utf8"));
  }

  getMany(ids: readonly string[], owner: string): Promise<(StoredEntry | undefined)[]> {
    return Promise.all(ids.map((id) => this.get(id, owner)));
  }

  async put(id: string, value: StoredResponse, keepAlive: readonly string[] = []): Promise<void> {
    this.remove(id);
    const data = Buffer.from(encodeStored(value), "utf8");
    // Larger than the whole store: not kept (its id answers 404, as an evicted one would).
    if (data.length + ENTRY_OVERHEAD > this.maxBytes) return;
    const expires = this.now() + this.opts.ttlMs;
    for (const k of keepAlive) {
      const e = this.live(k);
      if (!e) continue;
      e.expires = Math.max(e.expires, expires);
      this.entries.delete(k);
      this.entries.set(k, e);
    }
    this.entries.set(id, { owner: value.owner, data, expires });
    this.total += data.length + ENTRY_OVERHEAD;
    while (this.total > this.maxBytes || this.entries.size > this.opts.maxEntries) {
      this.remove(this.entries.keys().next().value as string);
    }
  }

  async delete(id: string, owner: string): Promise<boolean> {
    const e = this.live(id);
    if (!e || e.owner !== owner) return false;
    this.remove(id);
    return true;
  }

  /** The entry when it has not expired (an expired one is dropped). */
  private live(id: string): MemoryEntry | undefined {
    const e = this.entries.get(id);
    if (e && e.expires <= this.now()) {
      this.remove(id);
      return undefined;
    }
    return e;
  }

  private remove(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.total -= e.data.length + ENTRY_OVERHEAD;
  }
}

/** The subset of an ioredis client the Redis store uses. */
export interface RedisLike {
  get(key: string): Promise<string | null>;
  mget(keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, px: "PX", ms: number): Promise<unknown>;
  pexpire(key: string, ms: number): Promise<unknown>;
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

  async get(id: string, owner: string): Promise<StoredEntry | undefined> {
    const raw = await this.redis.get(this.prefix + id);
    if (!raw) return undefined;
    const v = decodeStored(raw);
    return v?.owner === owner ? v : undefined;
  }

  async getMany(ids: readonly string[], owner: string): Promise<(StoredEntry | undefined)[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.prefix + id));
    return raws.map((raw) => {
      const v = raw ? decodeStored(raw) : undefined;
      return v?.owner === owner ? v : undefined;
    });
  }

  async put(id: string, value: StoredResponse, keepAlive: readonly string[] = []): Promise<void> {
    // Sent together (one connection, no waiting between commands): the earlier turns expire with this one.
    await Promise.all([
      this.redis.set(this.prefix + id, encodeStored(value), "PX", this.ttlMs),
      ...keepAlive.map((k) => this.redis.pexpire(this.prefix + k, this.ttlMs)),
    ]);
  }

  async delete(id: string, owner: string): Promise<boolean> {
    if (!(await this.get(id, owner))) return false;
    return (await this.redis.del(this.prefix + id)) > 0;
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
