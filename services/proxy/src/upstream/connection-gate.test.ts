import { describe, expect, it } from "vitest";
import { ClientAbort } from "../http/client-abort.js";
import { ConnectionGate } from "./connection-gate.js";

describe("ConnectionGate", () => {
  it("hands slots out at once up to the limit, then in FIFO order as they come back", async () => {
    const g = new ConnectionGate(2, 1_000);
    expect([g.tryAcquire(), g.tryAcquire(), g.tryAcquire()]).toEqual([true, true, false]);
    const order: number[] = [];
    const a = g.wait("p").then(() => order.push(1));
    const b = g.wait("p").then(() => order.push(2));
    expect(g.queued).toBe(2);
    expect(g.tryAcquire()).toBe(false); // waiters go first
    g.release();
    g.release();
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
    expect([g.inUse, g.queued, g.waited]).toEqual([2, 0, 2]);
    g.release();
    g.release();
    expect(g.inUse).toBe(0);
  });

  it("gives up after waitMs with a retryable 503 upstream_busy, and counts it", async () => {
    const g = new ConnectionGate(1, 30);
    g.tryAcquire();
    await expect(g.wait("prov")).rejects.toMatchObject({ code: "upstream_busy", status: 503 });
    expect([g.timeouts, g.queued]).toEqual([1, 0]);
    g.release(); // the timed-out waiter is skipped: the slot is free again
    expect([g.inUse, g.tryAcquire()]).toEqual([0, true]);
  });

  it("drops a waiter whose client went away", async () => {
    const g = new ConnectionGate(1, 10_000);
    g.tryAcquire();
    const ac = new ClientAbort();
    const p = g.wait("p", ac);
    ac.abort();
    await expect(p).rejects.toThrow(/Client closed/);
    expect(g.queued).toBe(0);
    g.release();
    expect(g.inUse).toBe(0);
  });

  it("names the operator's limit in the 503", async () => {
    const g = new ConnectionGate(1, 10, "max_connections 1 x 100 HTTP/2 streams");
    g.tryAcquire();
    await expect(g.wait("prov")).rejects.toThrow(
      "Provider prov is at its limit of 1 concurrent requests (max_connections 1 x 100 HTTP/2 streams); none freed up in 10 ms.",
    );
  });

  it("a raised limit hands its new slots to the waiters at once, in order", async () => {
    const g = new ConnectionGate(1, 10_000);
    g.tryAcquire();
    const order: number[] = [];
    const a = g.wait("p").then(() => order.push(1));
    const b = g.wait("p").then(() => order.push(2));
    const c = g.wait("p").then(() => order.push(3));
    g.setLimit(3, "max_connections 1 x 100 HTTP/2 streams");
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
    expect([g.inUse, g.queued]).toEqual([3, 1]);
    g.release();
    await c;
    expect(order).toEqual([1, 2, 3]);
    expect(g.tryAcquire()).toBe(false);
  });
});
