import type { Dispatcher } from "undici";
import { describe, expect, it, vi } from "vitest";
import { ClientAbort } from "../http/client-abort.js";
import { DispatchBody, dispatchRequest } from "./dispatch-body.js";

const tick = () => new Promise<void>((r) => setImmediate(r));

/** A body with a reader that records what it gets, in order. */
function reading(body: DispatchBody) {
  const events: string[] = [];
  body.on("data", (c: Buffer) => events.push(`data:${c.toString()}`));
  body.on("end", () => events.push("end"));
  body.on("error", (e: Error) => events.push(`error:${e.message}`));
  body.on("close", () => events.push("close"));
  return events;
}

describe("DispatchBody", () => {
  it("delivers the chunks of one socket read as one data event, then the end", async () => {
    const body = new DispatchBody();
    const events = reading(body);
    await tick();
    // undici parses one read: several chunks, then the end, synchronously.
    expect(body.push(Buffer.from("data: a\n\n"))).toBe(true);
    expect(body.push(Buffer.from("data: b\n\n"))).toBe(true);
    expect(body.push(Buffer.from("data: [DONE]\n\n"))).toBe(true);
    body.finish();
    expect(events).toEqual([]); // nothing before the read is parsed
    await Promise.resolve();
    expect(events).toEqual(["data:data: a\n\ndata: b\n\ndata: [DONE]\n\n", "end", "close"]);
  });

  it("chunks of separate reads stay separate events", async () => {
    const body = new DispatchBody();
    const events = reading(body);
    await tick();
    body.push(Buffer.from("one"));
    await tick();
    body.push(Buffer.from("two"));
    await tick();
    body.finish();
    expect(events).toEqual(["data:one", "data:two", "end", "close"]);
  });

  it("holds a read's worth before the reader starts without stopping undici, then stops it", async () => {
    const body = new DispatchBody();
    const resume = vi.fn();
    body.resumeUpstream = resume;
    expect(body.push(Buffer.alloc(1000, 0x61))).toBe(true);
    expect(body.push(Buffer.alloc(64 * 1024, 0x62))).toBe(false); // over 64 KB held: undici stops
    const sizes: number[] = [];
    body.on("data", (c: Buffer) => sizes.push(c.length));
    await tick();
    expect(sizes).toEqual([1000 + 64 * 1024]);
    expect(resume).toHaveBeenCalledTimes(1); // and reads again once it is delivered
  });

  it("a reader that pauses stops undici; resume delivers what waited and lets undici read again", async () => {
    const body = new DispatchBody();
    const resume = vi.fn();
    body.resumeUpstream = resume;
    const got: string[] = [];
    body.on("data", (c: Buffer) => {
      got.push(c.toString());
      if (got.length === 1) body.pause(); // the client's socket is full
    });
    await tick();
    body.push(Buffer.from("a"));
    await tick();
    expect(got).toEqual(["a"]);
    expect(body.push(Buffer.from("b"))).toBe(false);
    expect(body.push(Buffer.from("c"))).toBe(false);
    await tick();
    expect(got).toEqual(["a"]);
    body.resume();
    await tick();
    expect(got).toEqual(["a", "bc"]);
    expect(resume).toHaveBeenCalledTimes(1);
  });

  it("a failure after data in the same read delivers the data first, then the error", async () => {
    const body = new DispatchBody();
    const events = reading(body);
    await tick();
    body.push(Buffer.from("partial"));
    body.finish(new Error("socket closed"));
    expect(events).toEqual(["data:partial", "error:socket closed", "close"]);
  });

  it("a failure while the reader is paused drops what is held and reports the error", async () => {
    const body = new DispatchBody();
    const events: string[] = [];
    body.on("data", (c: Buffer) => {
      events.push(`data:${c.toString()}`);
      body.pause();
    });
    body.on("error", (e: Error) => events.push(`error:${e.message}`));
    await tick();
    body.push(Buffer.from("first"));
    await tick();
    body.push(Buffer.from("held"));
    body.finish(new Error("reset"));
    expect(events).toEqual(["data:first", "error:reset"]);
  });

  it("destroy drops what is held, aborts the upstream and closes", async () => {
    const body = new DispatchBody();
    const abort = vi.fn();
    body.abortUpstream = abort;
    body.push(Buffer.from("x"));
    const events: string[] = [];
    body.on("close", () => events.push("close"));
    body.destroy();
    body.on("data", () => events.push("data"));
    await tick();
    expect(abort).toHaveBeenCalledTimes(1);
    expect(events).toEqual(["close"]);
  });
});

describe("dispatchRequest's connection slot", () => {
  /** A dispatcher that hands its handler to the test, which then plays undici. */
  function fakeDispatcher() {
    const calls: Dispatcher.DispatchHandler[] = [];
    const dispatch = (_o: unknown, h: Dispatcher.DispatchHandler) => {
      calls.push(h);
      return true;
    };
    const dispatcher = { dispatch } as unknown as Dispatcher;
    return { dispatcher, calls };
  }
  const opts = { origin: "http://upstream", path: "/", method: "POST" } as Dispatcher.DispatchOptions;

  it("is released once, when the body closes, not at the headers", async () => {
    const { dispatcher, calls } = fakeDispatcher();
    const slot = { release: vi.fn() };
    const pending = dispatchRequest(dispatcher, opts, new ClientAbort(), slot);
    const h = calls[0]!;
    h.onConnect?.(() => {}, undefined);
    h.onHeaders?.(200, [], () => {}, "OK");
    const { body } = await pending;
    expect(slot.release).not.toHaveBeenCalled();
    const events = reading(body as unknown as DispatchBody);
    await tick();
    h.onData?.(Buffer.from("{}"));
    h.onComplete?.([]);
    await tick();
    expect(events).toEqual(["data:{}", "end", "close"]);
    expect(slot.release).toHaveBeenCalledTimes(1);
  });

  it("is released when the request fails before its headers, and when dispatch throws", async () => {
    const { dispatcher, calls } = fakeDispatcher();
    const slot = { release: vi.fn() };
    const pending = dispatchRequest(dispatcher, opts, new ClientAbort(), slot);
    calls[0]!.onError?.(new Error("ECONNREFUSED"));
    await expect(pending).rejects.toThrow("ECONNREFUSED");
    expect(slot.release).toHaveBeenCalledTimes(1);

    const throwing = {
      dispatch: () => {
        throw new Error("invalid origin");
      },
    } as unknown as Dispatcher;
    const slot2 = { release: vi.fn() };
    await expect(dispatchRequest(throwing, opts, new ClientAbort(), slot2)).rejects.toThrow("invalid origin");
    expect(slot2.release).toHaveBeenCalledTimes(1);
  });

  it("is released at once for a client that already left", async () => {
    const { dispatcher, calls } = fakeDispatcher();
    const signal = new ClientAbort();
    signal.abort();
    const slot = { release: vi.fn() };
    await expect(dispatchRequest(dispatcher, opts, signal, slot)).rejects.toThrow();
    expect(calls).toHaveLength(0);
    expect(slot.release).toHaveBeenCalledTimes(1);
  });
});
