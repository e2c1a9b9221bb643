import { performance } from "node:perf_hooks";
import type { Readable } from "node:stream";
import { RouterError } from "@ai-router/errors";
import type { ChatStreamTranslator, UpstreamResponse } from "@ai-router/providers";
import type { StreamSplice } from "../continuation/stream-splice.js";
import type { RequestContext } from "../handlers/context.js";
import type { AttemptOutcome } from "../upstream/failover.js";
import { transportError } from "../upstream/send-upstream.js";
import type { TextUnitCounter } from "./usage-estimate.js";

export const SSE_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/** An answer relayed as bytes (speech audio, a transcript in text, srt or vtt) keeps the upstream's content type. */
export function binaryHeaders(resp: UpstreamResponse): Record<string, string> {
  const type = resp.headers?.["content-type"] ?? rawHeader(resp.rawHeaders, "content-type");
  return { "content-type": typeof type === "string" && type.length < 256 ? type : "application/octet-stream", "x-accel-buffering": "no" };
}

function rawHeader(raw: readonly (Buffer | string)[] | null | undefined, name: string): string | undefined {
  if (!raw) return undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (String(raw[i]).toLowerCase() === name) return String(raw[i + 1]);
  }
  return undefined;
}

/**
 * Forwards a translated upstream stream. Headers go out with the first translated bytes, so a failure
 * before that is still a clean failover; after it, the error is reported in-band.
 */
const ignore = () => {};

const brokenError = (provider: string) => new RouterError("upstream_bad_response", `Provider ${provider} reported an error mid-stream.`);

export function relayStream(
  ctx: RequestContext,
  body: Readable,
  translator: ChatStreamTranslator,
  headers: () => Record<string, string>,
  provider: string,
  t0: number,
  streamError: (err: RouterError) => string,
  /** Counts the text relayed, for a usage estimate when the upstream reports none. */
  counter?: TextUnitCounter,
  /** The answer's content headers (an event stream unless the bytes are relayed as they are). */
  answerHeaders: Record<string, string> = SSE_HEADERS,
  /**
   * A model with `stream_continuation`: the splice under `translator`. A break it may continue leaves
   * the client's response open (outcome `broken` with `resume`); `resumed`: this attempt continues one.
   */
  splice?: StreamSplice,
  resumed = false,
): Promise<AttemptOutcome> {
  // Event handlers rather than `for await`: no promise per chunk on the hottest loop of the proxy.
  const res = ctx.res;
  return new Promise<AttemptOutcome>((resolve) => {
    let started = resumed;
    let ttft = 0;
    let done = false;
    const stalls = ctx.stalls;
    const resume = () => {
      stalls?.drained(res);
      body.resume();
    };
    const finish = (outcome: AttemptOutcome) => {
      if (done) return;
      done = true;
      body.off("data", onData);
      body.off("end", onEnd);
      body.off("error", onError);
      // A destroyed or late-failing body may still emit 'error': never leave it without a listener.
      body.on("error", ignore);
      res.off("drain", resume);
      stalls?.drained(res);
      resolve(outcome);
    };
    // The stream's end marker arrived: the client's response ends now (its last bytes and the
    // chunked terminator in one write), and what the upstream may still send is drained unread so its
    // connection goes back to the pool.
    /** Served, unless the upstream reported an error in-band after the first bytes went out. */
    const ended = (): AttemptOutcome => {
      const e = translator.error;
      return e ? { kind: "broken", error: e } : { kind: "served", latencyMs: ttft };
    };
    const endEarly = (out: string | Buffer) => {
      if (out.length > 0) res.write(out);
      counter?.push(out);
      res.end(translator.end());
      finish(ended());
      if (!body.destroyed) body.resume();
    };
    const start = () => {
      res.writeHead(200, Object.assign(headers(), answerHeaders));
      started = true;
      ttft = performance.now() - t0;
    };
    const onData = (chunk: Buffer) => {
      let out: string | Buffer;
      try {
        out = translator.push(chunk);
      } catch (err) {
        // An event beyond the size limit (or bytes no translator can read): the upstream is broken.
        body.destroy();
        const error = new RouterError("upstream_bad_response", `Provider ${provider} sent a stream that could not be read.`, {
          cause: err,
        });
        if (!started) return finish({ kind: "retry", error });
        res.end(streamError(error));
        return finish({ kind: "broken", error });
      }
      if (out.length === 0 && splice?.held !== true) return;
      if (!started) {
        const e = translator.error;
        if (e) {
          body.destroy();
          return finish({ kind: e.retryable ? "retry" : "final", error: e });
        }
        start();
      }
      if (translator.complete) return endEarly(out);
      counter?.push(out);
      if (splice?.held) {
        // An in-band error another target may make good: what came before it goes out, the error does not.
        if (out.length > 0) res.write(out);
        body.destroy();
        return finish({ kind: "broken", error: translator.error ?? brokenError(provider), resume: true });
      }
      if (!res.write(out)) {
        body.pause();
        stalls?.stalled(res);
        res.once("drain", resume);
      }
    };
    const onEnd = () => {
      if (!started) {
        const e = translator.error;
        if (e) return finish({ kind: e.retryable ? "retry" : "final", error: e });
        start();
      }
      res.end(translator.end());
      // An in-band error (Anthropic's overloaded_error, an OpenAI error event...) was forwarded: the
      // attempt failed, for the breaker and the usage record alike, though the client got a 200.
      finish(ended());
    };
    const onError = (err: unknown) => {
      if (ctx.signal.aborted) return finish({ kind: "final", error: new RouterError("invalid_request", "Client closed the request.") });
      const error = transportError(err, provider);
      if (!started) return finish({ kind: "retry", error });
      if (splice?.finished) {
        // The answer was whole (its finish reason went out): the client's stream ends as it would have.
        splice.seal();
        res.end(translator.end());
        return finish({ kind: "served", latencyMs: ttft });
      }
      if (splice?.continuable()) return finish({ kind: "broken", error, resume: true });
      res.end(streamError(error));
      finish({ kind: "broken", error });
    };
    body.on("data", onData);
    body.on("end", onEnd);
    body.on("error", onError);
  });
}
