import { once } from "node:events";
import { readdirSync } from "node:fs";
import { type ClientRequest, type IncomingMessage, request } from "node:http";
import type { AudioRerankRequest } from "@ai-router/testing";
import { describe, expect, it, vi } from "vitest";
import { spoolDirectory } from "../src/handlers/model-api/audio-spool.js";
import { KEY, MAX_AUDIO, nextRecord, useMoreWorld } from "./more-endpoints-setup.js";

const w = useMoreWorld();

const BOUNDARY = "streaming-test-boundary";
/** 256 KiB of audio-like bytes, no two 4 KiB pieces alike. */
const AUDIO = Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => (i * 31 + (i >> 12)) & 0xff));
const HALF = AUDIO.length / 2;

/** A form that names its model (and any other fields) before the file, as Python's SDK and curl -F model=... do. */
const head = (model: string, fields: Record<string, string> = {}) => {
  let text = "";
  for (const [k, v] of Object.entries(Object.assign({ model }, fields)))
    text += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  return Buffer.from(
    `${text}--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
};
const tail = (fields: Record<string, string> = {}) => {
  let text = "\r\n";
  for (const [k, v] of Object.entries(fields)) text += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  return Buffer.from(`${text}--${BOUNDARY}--\r\n`);
};

/** Opens an upload to the router; the test writes its body. `length` undefined: sent chunked. */
function openUpload(length?: number, key = KEY): { req: ClientRequest; answer: Promise<{ res: IncomingMessage; body: string }> } {
  const headers: Record<string, string> = {
    authorization: `Bearer ${key}`,
    "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
  };
  if (length !== undefined) headers["content-length"] = String(length);
  const req = request(`${w.proxy.url}/v1/audio/transcriptions`, { method: "POST", headers, agent: false });
  const answer = new Promise<{ res: IncomingMessage; body: string }>((resolve, reject) => {
    req.once("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.once("end", () => resolve({ res, body }));
    });
    req.once("error", reject);
  });
  return { req, answer };
}

/** Resolves once the mock has received, on a transcription request matching `which`, bytes that include `piece`. */
function upstreamReceives(piece: Buffer, which: (r: AudioRerankRequest) => boolean = () => true): Promise<AudioRerankRequest> {
  const got = new Map<AudioRerankRequest, Buffer>();
  return new Promise((resolve) => {
    const onData = (r: AudioRerankRequest, c: Buffer) => {
      if (!r.path.endsWith("/audio/transcriptions") || !which(r)) return;
      const all = Buffer.concat([got.get(r) ?? Buffer.alloc(0), c]);
      got.set(r, all);
      if (all.includes(piece)) {
        w.up.events.off("data", onData);
        resolve(r);
      }
    };
    w.up.events.on("data", onData);
  });
}

const transcriptions = () => w.up.requests.filter((r) => r.path.endsWith("/audio/transcriptions"));

describe("audio uploads streamed to the upstream as they arrive", () => {
  it("the upstream has the first file bytes before the client sends the rest (after failing over from a dead upstream)", async () => {
    const h = head("whisper-1");
    const t = tail();
    const { req, answer } = openUpload(h.length + AUDIO.length + t.length);
    const arrived = upstreamReceives(AUDIO.subarray(0, 4096));
    req.write(h);
    req.write(AUDIO.subarray(0, HALF));
    // The client holds its second half until the upstream shows it has the first.
    const up = await arrived;
    expect(up.complete).toBe(false);
    req.end(Buffer.concat([AUDIO.subarray(HALF), t]));
    const { res, body } = await answer;
    expect(res.statusCode, body).toBe(200);
    expect(JSON.parse(body)).toEqual({ text: "Transcribed whisper-large." });
    expect(res.headers["x-router-attempts"]).toBe("2");
    expect(up.file?.bytes.equals(AUDIO)).toBe(true);
    expect(up.fields).toMatchObject({ model: "whisper-large" });
  });

  it("a target failing after reading part of the upload: the next one reads it again from the spool while the client still sends", async () => {
    const h = head("whisper-split", { language: "en" });
    const t = tail();
    w.up.failAfterBytes = 32 * 1024;
    const rec = nextRecord("audio.transcriptions", (r) => r.model === "whisper-split");
    const { req, answer } = openUpload(h.length + AUDIO.length + t.length);
    // The second target (live-b) has the first half too before the client sends the rest.
    const second = upstreamReceives(AUDIO.subarray(HALF - 4096, HALF), (r) => r.headers.authorization === "Bearer sk-live-b");
    req.write(h);
    req.write(AUDIO.subarray(0, HALF));
    const b = await second;
    expect(b.complete).toBe(false);
    req.end(Buffer.concat([AUDIO.subarray(HALF), t]));
    const { res, body } = await answer;
    expect(res.statusCode, body).toBe(200);
    expect(res.headers["x-router-provider"]).toBe("live-b");
    expect(res.headers["x-router-attempts"]).toBe("2");
    const [first, last] = transcriptions();
    expect(first?.headers.authorization).toBe("Bearer sk-live");
    expect(first?.size).toBeLessThan(AUDIO.length);
    expect(last?.file?.bytes.equals(AUDIO)).toBe(true);
    expect(last?.fields).toMatchObject({ model: "whisper-b", language: "en" });
    const r = await rec;
    expect(r.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ["live", "retry"],
      ["live-b", "served"],
    ]);
  });

  it("fields sent after the file reach the upstream after it; a bad one fails the upload with a 400 and aborts the upstream request", async () => {
    const h = head("whisper-1");
    const good = openUpload();
    good.req.end(Buffer.concat([h, AUDIO, tail({ response_format: "text", language: "de" })]));
    const ok = await good.answer;
    expect(ok.res.statusCode, ok.body).toBe(200);
    expect(ok.body).toBe("Transcribed whisper-large.\n");
    expect(transcriptions().at(-1)?.fields).toMatchObject({ model: "whisper-large", response_format: "text", language: "de" });

    w.up.requests.length = 0;
    const bad = openUpload();
    const arrived = upstreamReceives(AUDIO.subarray(0, 4096));
    bad.req.write(Buffer.concat([h, AUDIO]));
    await arrived;
    const aborted = once(w.up.events, "aborted");
    const rec = nextRecord("audio.transcriptions", (r) => r.outcome !== "served");
    bad.req.end(tail({ response_format: "mp4" }));
    const { res, body } = await bad.answer;
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(body).error.param).toBe("response_format");
    await aborted;
    // The client's fault: the live target is not charged with a failure, and no other target is tried.
    expect((await rec).attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ["dead", "retry"],
      ["live", "final"],
    ]);
    expect(transcriptions().every((r) => !r.complete)).toBe(true);
  });

  it("a chunked upload crossing max_audio_bytes mid-stream: the upstream request is aborted and the client gets a 413", async () => {
    const { req, answer } = openUpload();
    const arrived = upstreamReceives(AUDIO.subarray(0, 4096));
    req.write(head("whisper-1"));
    const piece = AUDIO.subarray(0, 64 * 1024);
    req.write(piece);
    await arrived;
    const aborted = once(w.up.events, "aborted");
    const rec = nextRecord("audio.transcriptions", (r) => r.errorCode === "request_too_large");
    for (let sent = piece.length; sent <= MAX_AUDIO; sent += piece.length) req.write(piece);
    req.end(tail());
    const { res, body } = await answer;
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(body).error.code).toBe("request_too_large");
    const [r] = (await aborted) as [AudioRerankRequest];
    expect(r.complete).toBe(false);
    expect(transcriptions().every((x) => !x.complete)).toBe(true);
    expect((await rec).attempts.at(-1)).toMatchObject({ provider: "live", outcome: "final", status: 413 });
  });

  it("a streamed upload reserves its declared length's audio minutes before sending: a second upload on a small budget is refused meanwhile", async () => {
    const key = `${KEY}-poor-audio`;
    const h = head("whisper-1");
    const t = tail();
    const first = openUpload(h.length + AUDIO.length + t.length, key);
    const arrived = upstreamReceives(AUDIO.subarray(0, 4096));
    first.req.write(h);
    first.req.write(AUDIO.subarray(0, HALF));
    await arrived;
    // ~17 s of audio at $0.006 a minute ($0.0017) reserved against a $0.0001 budget while the first streams.
    const second = openUpload(h.length + AUDIO.length + t.length, key);
    second.req.end(Buffer.concat([h, AUDIO, t]));
    const refused = await second.answer;
    expect(refused.res.statusCode).toBe(429);
    expect(JSON.parse(refused.body).error.code).toBe("insufficient_quota");
    expect(transcriptions()).toHaveLength(1);
    first.req.end(Buffer.concat([AUDIO.subarray(HALF), t]));
    expect((await first.answer).res.statusCode).toBe(200);
  });

  it("a client hanging up mid-upload aborts the upstream request at once; the request is recorded as cancelled", async () => {
    const rec = nextRecord("audio.transcriptions", (r) => r.key === "main");
    const h = head("whisper-1");
    const { req, answer } = openUpload(h.length + AUDIO.length + tail().length);
    answer.catch(() => {});
    const arrived = upstreamReceives(AUDIO.subarray(0, 4096));
    req.write(h);
    req.write(AUDIO.subarray(0, HALF));
    const up = await arrived;
    const aborted = once(w.up.events, "aborted");
    const t0 = performance.now();
    req.destroy();
    await aborted;
    // At once: not at the upstream timeout (the live provider waits 60 s for a body); 2 s leaves room for a loaded machine.
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(up.aborted).toBe(true);
    const r = await rec;
    expect(r.outcome, JSON.stringify([r.error, r.attempts])).toBe("cancelled");
    expect(r.errorCode).toBe("client_closed_request");
    expect(w.proxy.proxy.inFlight()).toBe(0);
  });

  it("leaves no spool file behind: served, failed over, refused, too large or cut off", async () => {
    await vi.waitFor(() => expect(w.proxy.proxy.inFlight()).toBe(0));
    const dir = spoolDirectory();
    expect(dir).toBeDefined();
    await vi.waitFor(() => expect(readdirSync(dir as string)).toEqual([]));
  });
});
