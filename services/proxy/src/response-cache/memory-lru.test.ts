import { describe, expect, it } from "vitest";
import { ENTRY_OVERHEAD, MemoryLru } from "./memory-lru.js";

const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

describe("MemoryLru", () => {
  it("never holds more bytes than its bound: the least recently used go first", () => {
    const lru = new MemoryLru(3 * (1000 + ENTRY_OVERHEAD));
    lru.set("a", bytes(1000), 60_000);
    lru.set("b", bytes(1000), 60_000);
    lru.set("c", bytes(1000), 60_000);
    expect(lru.get("a")).toBeDefined(); // a is now the most recently used
    lru.set("d", bytes(1000), 60_000);
    expect(lru.bytes).toBeLessThanOrEqual(3 * (1000 + ENTRY_OVERHEAD));
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBeDefined();
    expect(lru.get("d")).toBeDefined();
    for (let i = 0; i < 100; i++) lru.set(`k${i}`, bytes(100 + (i % 7) * 300), 60_000);
    expect(lru.bytes).toBeLessThanOrEqual(3 * (1000 + ENTRY_OVERHEAD));
  });

  it("refuses an entry larger than the whole bound, and shrinks to a new bound", () => {
    const lru = new MemoryLru(5000);
    expect(lru.set("big", bytes(6000), 1000)).toBe(false);
    expect(lru.size).toBe(0);
    lru.set("a", bytes(1000), 1000);
    lru.set("b", bytes(1000), 1000);
    lru.resize(1500);
    expect(lru.size).toBe(1);
    expect(lru.get("b")).toBeDefined();
  });

  it("expires entries at their TTL on the injected clock, and a replaced entry frees its bytes", () => {
    let now = 1_000;
    const lru = new MemoryLru(10_000, () => now);
    lru.set("a", bytes(100), 500);
    now += 499;
    expect(lru.get("a")).toBeDefined();
    now += 1;
    expect(lru.get("a")).toBeUndefined();
    expect(lru.bytes).toBe(0);
    lru.set("b", bytes(100), 500);
    lru.set("b", bytes(300), 500);
    expect(lru.bytes).toBe(300 + ENTRY_OVERHEAD);
  });
});
