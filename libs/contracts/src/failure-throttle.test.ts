import { describe, expect, it } from "vitest";
import { FailureThrottle, sourceOf } from "./failure-throttle.js";

describe("FailureThrottle", () => {
  it("refuses a source for the window once it failed maxFailures times in it, then forgets it", () => {
    let now = 1_000;
    const t = new FailureThrottle({ maxFailures: 3, windowMs: 60_000, now: () => now });
    expect(t.fail("a")).toBe(false);
    expect(t.fail("a")).toBe(false);
    expect(t.retryAfterMs("a")).toBe(0);
    expect(t.fail("a")).toBe(true);
    expect(t.retryAfterMs("a")).toBe(60_000);
    expect(t.retryAfterMs("b")).toBe(0);
    now += 59_000;
    expect(t.retryAfterMs("a")).toBe(1_000);
    now += 1_000;
    expect(t.retryAfterMs("a")).toBe(0);
    expect(t.size).toBe(0);
  });

  it("failures spread over more than a window never add up", () => {
    let now = 0;
    const t = new FailureThrottle({ maxFailures: 3, windowMs: 1_000, now: () => now });
    for (let i = 0; i < 20; i++) {
      expect(t.fail("a")).toBe(false);
      now += 600;
    }
  });

  it("remembers at most maxSources sources (oldest forgotten first)", () => {
    const t = new FailureThrottle({ maxFailures: 2, maxSources: 100 });
    for (let i = 0; i < 10_000; i++) t.fail(`10.0.${i >> 8}.${i & 255}`);
    expect(t.size).toBe(100);
  });
});

describe("sourceOf", () => {
  it("keeps IPv4 (also mapped), groups IPv6 by /64, cleans anything else", () => {
    expect(sourceOf("203.0.113.7")).toBe("203.0.113.7");
    expect(sourceOf("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(sourceOf("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(sourceOf("2001:db8:1:2::1")).toBe(sourceOf("2001:db8:1:2:ffff::9"));
    expect(sourceOf("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(sourceOf("::1")).toBe("0:0:0:0::/64");
    expect(sourceOf(undefined)).toBe("unknown");
    expect(sourceOf("x\u0000y\n".repeat(100))).toBe("xy".repeat(32));
  });
});
