import { type Dispatcher, errors } from "undici";
import type { ClientSignal } from "../http/client-abort.js";
import { BodyBytes } from "./body-bytes.js";

/** An upstream answer read whole: its status and its bytes. */
export interface WholeResponse {
  statusCode: number;
  body: Buffer;
}

/** How much of an answer is read: a 2xx body up to `okBytes` (more fails), an error body's first `errorBytes`. */
export interface WholeLimits {
  okBytes: number;
  errorBytes: number;
}

/**
 * Dispatches one request whose answer is read whole (JSON): the body's chunks are collected by the
 * dispatch handler itself and the promise resolves once, at the end, with the status and the bytes. No
 * body object, listeners or extra microtask per answer, as a streamed body needs. A 2xx body over
 * `okBytes` rejects (`upstream_bad_response`) and the request is aborted; an error body is cut at
 * `errorBytes`, and one that breaks off resolves with what arrived (its message is all that is read).
 * The client's signal aborts it; the connection `slot`, when given, is released once, when it settles.
 */
export function dispatchWhole(
  dispatcher: Dispatcher,
  opts: Dispatcher.DispatchOptions,
  signal: ClientSignal,
  limits: WholeLimits,
  slot?: { release(): void },
): Promise<WholeResponse> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      slot?.release();
      return reject(new errors.RequestAbortedError());
    }
    let statusCode = 0;
    /** The answer's bytes, limited by its status (set with the final status). */
    let collected: BodyBytes | undefined;
    let settled = false;
    let abort: ((err: Error) => void) | undefined;
    const onAbort = () => abort?.(new errors.RequestAbortedError());
    signal.once("abort", onAbort);
    const settle = () => {
      settled = true;
      signal.removeListener("abort", onAbort);
      slot?.release();
    };
    const done = () => {
      if (settled) return;
      settle();
      resolve({ statusCode, body: collected?.bytes() ?? Buffer.alloc(0) });
    };
    const fail = (err: Error) => {
      if (settled) return;
      // An error answer that broke off: its start is what there is to read.
      if (statusCode >= 400) return done();
      settle();
      reject(err);
    };
    const handler: Dispatcher.DispatchHandler = {
      onConnect(a) {
        abort = a as (err: Error) => void;
        if (signal.aborted) a(new errors.RequestAbortedError());
      },
      onHeaders(status) {
        if (status < 200) return true; // informational answers: the final status follows
        statusCode = status;
        collected = status >= 400 ? new BodyBytes(limits.errorBytes, true) : new BodyBytes(limits.okBytes, false);
        return true;
      },
      onData(chunk) {
        if (settled || collected === undefined || collected.add(chunk)) return true;
        // Past its limit: an error answer is what arrived, a 2xx one fails; the rest is not read.
        const tooLarge = collected.tooLarge();
        if (tooLarge) fail(tooLarge);
        else done();
        abort?.(new errors.RequestAbortedError());
        return true;
      },
      onComplete: done,
      onError: fail,
    };
    try {
      dispatcher.dispatch(opts, handler);
    } catch (err) {
      fail(err as Error);
    }
  });
}
