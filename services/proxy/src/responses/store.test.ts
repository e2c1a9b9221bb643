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

describe("in-memory response store, bounded by bytes", () => {
  const big = (id: string, kb: number): StoredResponse => ({
    owner: "k",
    response: {
      id,
      object: "response",
      output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "x".repeat(kb * 1024) }] }],
    },
    input: [{ id: "msg_1", type: "message", role: "user", content: "y".repeat(1024) }],
  });

  it("keeps its byte total under the bound however many big responses arrive: oldest evicted, newest retrievable", async () => {
    // 170 responses of 6 MB took a proxy to 1.26 GB when only the count was bounded (here a tenth of each).
    const maxBytes = 6.4 * 1024 * 1024;
    const s = new MemoryResponseStore({ ttlMs: 60_000, maxEntries: 10_000, maxBytes });
    for (let i = 0; i < 170; i++) {
      await s.put(`resp_${i}`, big(`resp_${i}`, 600));
      expect(s.bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(s.size).toBe(10); // 10 x 600 KiB fit in 6.4 MiB, 11 do not
    expect(await s.get("resp_0", "k")).toBeUndefined();
    expect(await s.get("resp_159", "k")).toBeUndefined();
    const newest = await s.get("resp_169", "k");
    const output = newest?.response.output as { content: { text: string }[] }[] | undefined;
    expect(output?.[0]?.content[0]?.text).toHaveLength(600 * 1024);
    expect(await s.get("resp_160", "k")).toBeDefined();
  });

  it("a response larger than the whole store is not kept; reading it back gives a fresh copy with its turn size", async () => {
    const s = new MemoryResponseStore({ ttlMs: 60_000, maxEntries: 10, maxBytes: 2 * 1024 * 1024 });
    await s.put("huge", big("huge", 3 * 1024));
    expect(s.size).toBe(0);
    expect(s.bytes).toBe(0);
    await s.put("a", rec("k", "a"));
    const a = await s.get("a", "k");
    expect(a?.turnBytes).toBe(JSON.stringify(rec("k").input).length + 2);
    a?.input.push({ mutated: true });
    expect((await s.get("a", "k"))?.input).toHaveLength(1);
  });

  it("keeps the earlier turns of a conversation alive with its newest turn", async () => {
    let now = 0;
    const s = new MemoryResponseStore({ ttlMs: 100, maxEntries: 10, now: () => now });
    await s.put("t1", rec("k", "t1"));
    now = 90;
    await s.put("t2", { ...rec("k", "t2"), previous: "t1" }, ["t1"]);
    now = 150;
    expect(await s.get("t1", "k")).toBeDefined();
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
