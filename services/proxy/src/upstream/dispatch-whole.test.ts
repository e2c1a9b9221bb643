import type { Dispatcher } from "undici";
import { describe, expect, it, vi } from "vitest";
import { ClientAbort } from "../http/client-abort.js";
import { dispatchWhole } from "./dispatch-whole.js";

/** A dispatcher that hands its handler to the test, which then plays undici. */
function fakeDispatcher() {
  const calls: Dispatcher.DispatchHandler[] = [];
  const aborted: Error[] = [];
  const dispatch = (_o: unknown, h: Dispatcher.DispatchHandler) => {
    calls.push(h);
    h.onConnect?.((err?: Error) => {
      aborted.push(err ?? new Error("aborted"));
      h.onError?.(err ?? new Error("aborted"));
    }, undefined);
    return true;
  };
  return { dispatcher: { dispatch } as unknown as Dispatcher, calls, aborted };
}
const opts = { origin: "http://upstream", path: "/", method: "POST" } as Dispatcher.DispatchOptions;
const limits = { okBytes: 10, errorBytes: 4 };

describe("dispatchWhole", () => {
  it("resolves once, at the end, with the status and every chunk joined; the slot is released then", async () => {
    const { dispatcher, calls } = fakeDispatcher();
    const slot = { release: vi.fn() };
    const p = dispatchWhole(dispatcher, opts, new ClientAbort(), limits, slot);
    const h = calls[0]!;
    h.onHeaders?.(100, [], () => {}, "Continue");
    h.onHeaders?.(200, [], () => {}, "OK");
    h.onData?.(Buffer.from('{"a":'));
    expect(slot.release).not.toHaveBeenCalled();
    h.onData?.(Buffer.from("1}"));
    h.onComplete?.([]);
    const r = await p;
    expect(r.statusCode).toBe(200);
    expect(r.body.toString()).toBe('{"a":1}');
    expect(slot.release).toHaveBeenCalledTimes(1);
  });

  it("rejects a 2xx body over its limit and aborts the request", async () => {
    const { dispatcher, calls, aborted } = fakeDispatcher();
    const slot = { release: vi.fn() };
    const p = dispatchWhole(dispatcher, opts, new ClientAbort(), limits, slot);
    calls[0]!.onHeaders?.(200, [], () => {}, "OK");
    calls[0]!.onData?.(Buffer.alloc(11, 0x61));
    await expect(p).rejects.toMatchObject({ code: "upstream_bad_response" });
    expect(aborted).toHaveLength(1);
    expect(slot.release).toHaveBeenCalledTimes(1);
  });

  it("cuts an error body at its limit, and keeps what arrived when an error body breaks off", async () => {
    const a = fakeDispatcher();
    const cut = dispatchWhole(a.dispatcher, opts, new ClientAbort(), limits);
    a.calls[0]!.onHeaders?.(429, [], () => {}, "Too Many Requests");
    a.calls[0]!.onData?.(Buffer.from("slow down"));
    expect(await cut).toMatchObject({ statusCode: 429 });
    expect((await cut).body.toString()).toBe("slow");

    const b = fakeDispatcher();
    const broken = dispatchWhole(b.dispatcher, opts, new ClientAbort(), limits);
    b.calls[0]!.onHeaders?.(500, [], () => {}, "Error");
    b.calls[0]!.onData?.(Buffer.from("oh"));
    b.calls[0]!.onError?.(new Error("socket hang up"));
    expect((await broken).body.toString()).toBe("oh");
  });

  it("rejects when the transport fails on a 2xx or before the headers, releasing the slot", async () => {
    const { dispatcher, calls } = fakeDispatcher();
    const slot = { release: vi.fn() };
    const p = dispatchWhole(dispatcher, opts, new ClientAbort(), limits, slot);
    calls[0]!.onError?.(new Error("ECONNRESET"));
    await expect(p).rejects.toThrow("ECONNRESET");
    expect(slot.release).toHaveBeenCalledTimes(1);
  });

  it("is aborted when the client leaves", async () => {
    const { dispatcher, calls, aborted } = fakeDispatcher();
    const signal = new ClientAbort();
    const slot = { release: vi.fn() };
    const p = dispatchWhole(dispatcher, opts, signal, limits, slot);
    calls[0]!.onHeaders?.(200, [], () => {}, "OK");
    signal.abort();
    await expect(p).rejects.toThrow();
    expect(aborted).toHaveLength(1);
    expect(slot.release).toHaveBeenCalledTimes(1);
  });
});
