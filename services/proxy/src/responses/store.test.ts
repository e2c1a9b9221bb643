import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryResponseStore, RedisResponseStore, type StoredResponse } from "./store.js";

const rec = (owner: string, id = "resp_1"): StoredResponse => ({
  owner,
  response: { id, object: "response" },
  input: [{ id: "msg_1", type: "message" }],
  conversation: [{ type: "message", role: "user", content: "hi" }],
});

describe("in-memory response store", () => {
  it("shows a response only to the key that made it, until its TTL", async () => {
    let now = 1000;
    const s = new MemoryResponseStore({ ttlMs: 100, maxEntries: 10, now: () => now });
    await s.put("resp_1", rec("key-a"));
    expect((await s.get("resp_1", "key-a"))?.response.id).toBe("resp_1");
    expect(await s.get("resp_1", "key-b")).toBeUndefined();
    expect(await s.delete("resp_1", "key-b")).toBe(false);
    now += 101;
    expect(await s.get("resp_1", "key-a")).toBeUndefined();
  });

  it("is bounded: the least recently used response goes first", async () => {
    const s = new MemoryResponseStore({ ttlMs: 60_000, maxEntries: 2 });
    await s.put("a", rec("k", "a"));
    await s.put("b", rec("k", "b"));
    await s.get("a", "k");
    await s.put("c", rec("k", "c"));
    expect(s.size).toBe(2);
    expect(await s.get("b", "k")).toBeUndefined();
    expect(await s.get("a", "k")).toBeDefined();
    expect(await s.delete("a", "k")).toBe(true);
    expect(await s.get("a", "k")).toBeUndefined();
  });
});

describe("Redis response store (cluster mode)", () => {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  const prefix = `ai-router:test-${randomBytes(4).toString("hex")}:responses:`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("shares responses across store instances (replicas), per key, with the TTL on the Redis key", async () => {
    const a = new RedisResponseStore(redis, prefix, 60_000);
    const b = new RedisResponseStore(redis.duplicate(), prefix, 60_000);
    await a.put("resp_r", rec("key-a", "resp_r"));
    expect((await b.get("resp_r", "key-a"))?.conversation).toEqual(rec("key-a").conversation);
    expect(await b.get("resp_r", "key-b")).toBeUndefined();
    const ttl = await redis.pttl(`${prefix}resp_r`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await b.delete("resp_r", "key-b")).toBe(false);
    expect(await b.delete("resp_r", "key-a")).toBe(true);
    expect(await a.get("resp_r", "key-a")).toBeUndefined();
    await b.close();
  });
});
