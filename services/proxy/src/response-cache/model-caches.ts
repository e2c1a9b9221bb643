import type { TableResponseCache } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { MemoryLru } from "./memory-lru.js";

/** The largest answer any cache stores (a Redis value, a memory entry), whatever a model's `max_bytes`. */
export const MAX_ENTRY_BYTES = 8 * 1024 * 1024;

/** Where cached answers live: values by key, in order (memory answers at once, Redis in one round trip). */
export interface CacheBackend {
  get(keys: readonly string[]): (Buffer | undefined)[] | Promise<(Buffer | undefined)[]>;
  set(key: string, value: Buffer, ttlMs: number): Promise<void> | void;
}

/** A model's response cache as the attempt pipeline uses it (`LiveModel.cache`). */
export interface ModelCache {
  readonly ttlMs: number;
  /** Shared across client keys (else each key has its own entries). */
  readonly shared: boolean;
  /** Answers larger than this are not stored. */
  readonly maxEntryBytes: number;
  readonly backend: CacheBackend;
}

/** The few Redis commands the cache uses (ioredis). */
export interface CacheRedis {
  mgetBuffer(...keys: string[]): Promise<(Buffer | null)[]>;
  set(key: string, value: Buffer, px: "PX", ms: number): Promise<unknown>;
}

export interface ResponseCachesOptions {
  /** Cluster mode: entries in Redis, shared by every replica, expiring there. */
  redis?: CacheRedis;
  /** Redis key prefix (`ai-router:{bucket}:cache:`). */
  prefix?: string;
  /** Unix ms (tests inject a clock). */
  now?: () => number;
  logger?: Logger;
}

/**
 * The response caches of a process, one per model that has one: in memory (standalone; an LRU bounded
 * by the model's `max_bytes`, kept across routing table swaps while the model keeps its cache) or in
 * Redis (cluster mode). Built into `LiveModel.cache` when a table is built, so the request path reads
 * one property to know whether a model caches.
 */
export class ResponseCaches {
  private readonly memory = new Map<string, MemoryLru>();
  private readonly redis: CacheBackend | undefined;
  private warned = false;

  constructor(private readonly opts: ResponseCachesOptions = {}) {
    const r = opts.redis;
    if (r !== undefined) this.redis = redisBackend(r, opts.prefix ?? "ai-router:cache:", () => this.redisFailed());
  }

  /** The cache of model `name` as the table configures it (its memory kept from the previous table). */
  forModel(name: string, cfg: TableResponseCache): ModelCache {
    const maxEntryBytes = Math.min(cfg.maxBytes, MAX_ENTRY_BYTES);
    let backend = this.redis;
    if (backend === undefined) {
      let lru = this.memory.get(name);
      if (lru === undefined) {
        lru = new MemoryLru(cfg.maxBytes, this.opts.now);
        this.memory.set(name, lru);
      } else lru.resize(cfg.maxBytes);
      backend = memoryBackend(lru);
    }
    return { ttlMs: cfg.ttlS * 1000, shared: cfg.shared, maxEntryBytes, backend };
  }

  /** Drops the memory of models the new table no longer caches. */
  retain(names: ReadonlySet<string>): void {
    for (const name of this.memory.keys()) if (!names.has(name)) this.memory.delete(name);
  }

  /** Bytes a model's memory cache holds (tests, stats). */
  memoryBytes(name: string): number {
    return this.memory.get(name)?.bytes ?? 0;
  }

  private redisFailed(): void {
    if (this.warned) return;
    this.warned = true;
    this.opts.logger?.warn("response cache: Redis unreachable; requests go to their providers until it returns");
  }
}

function memoryBackend(lru: MemoryLru): CacheBackend {
  return {
    get: (keys) => keys.map((k) => lru.get(k)),
    set: (key, value, ttlMs) => {
      lru.set(key, value, ttlMs);
    },
  };
}

/** Entries as Redis values with a PX expiry; a Redis error is a miss (lookup) or nothing stored (write). */
function redisBackend(redis: CacheRedis, prefix: string, failed: () => void): CacheBackend {
  return {
    async get(keys) {
      try {
        const values = await redis.mgetBuffer(...keys.map((k) => prefix + k));
        return values.map((v) => v ?? undefined);
      } catch {
        failed();
        return keys.map(() => undefined);
      }
    },
    async set(key, value, ttlMs) {
      try {
        await redis.set(prefix + key, value, "PX", ttlMs);
      } catch {
        failed();
      }
    },
  };
}
