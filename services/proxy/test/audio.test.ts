import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { MOCK_AUDIO_SECONDS } from "@ai-router/testing";
import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { spoolDirectory } from "../src/handlers/model-api/audio-spool.js";
import { KEY, MAX_AUDIO, nextRecord, post, postJson, useMoreWorld } from "./more-endpoints-setup.js";

const w = useMoreWorld();
let dir: string;
let wav: Buffer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ai-router-audio-"));
  // A real WAV file, spoken by Debian's espeak-ng (.ci/run installs it).
  execFileSync("espeak-ng", ["-w", join(dir, "hello.wav"), "Hello from the router"]);
  wav = readFileSync(join(dir, "hello.wav"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const form = (fields: Record<string, string>, file?: Buffer) => {
  const f = new FormData();
  if (file) f.append("file", new Blob([file], { type: "audio/wav" }), "hello.wav");
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
};

describe("audio transcriptions and translations through the router", () => {
  it("openai SDK transcriptions.create with an espeak-ng WAV: the upstream gets the same bytes under its model id, after failing over from a dead upstream", async () => {
    expect(wav.subarray(0, 4).toString("latin1")).toBe("RIFF");
    const rec = nextRecord("audio.transcriptions");
    const { data, response } = await w.client.audio.transcriptions
      .create({ file: await toFile(wav, "hello.wav", { type: "audio/wav" }), model: "whisper-1", language: "en" })
      .withResponse();
    expect(data.text).toBe("Transcribed whisper-large.");
    expect(response.headers.get("x-router-provider")).toBe("live");
    expect(response.headers.get("x-router-attempts")).toBe("2");
    const got = w.up.requests[0];
    expect(got?.fields).toMatchObject({ model: "whisper-large", language: "en" });
    expect(got?.file?.bytes.equals(wav)).toBe(true);
    expect(got?.headers.authorization).toBe("Bearer sk-live");
    const r = await rec;
    expect(r.endpoint).toBe("audio.transcriptions");
    expect(r.outcome).toBe("served");
  });

  it.each([
    ["text", "text/plain; charset=utf-8", /^Transcribed whisper-large\.\n$/],
    ["srt", "application/x-subrip", /^1\n00:00:00,000 --> 00:00:02,500\n/],
    ["vtt", "text/vtt", /^WEBVTT\n/],
  ] as const)("response_format %s comes back as the upstream sent it, under its content type", async (format, type, body) => {
    const text = await w.client.audio.transcriptions.create({
      file: await toFile(wav, "a.wav"),
      model: "whisper-1",
      response_format: format,
    });
    expect(String(text)).toMatch(body);
    const res = await post("/v1/audio/transcriptions", form({ model: "whisper-1", response_format: format }, wav));
    expect(res.headers.get("content-type")).toBe(type);
  });

  it("verbose_json's duration is the record's audio seconds, priced per audio minute", async () => {
    const rec = nextRecord("audio.transcriptions", (r) => r.usage?.audio_seconds !== undefined);
    const v = await w.client.audio.transcriptions.create({
      file: await toFile(wav, "a.wav"),
      model: "whisper-1",
      response_format: "verbose_json",
    });
    expect(v.duration).toBe(MOCK_AUDIO_SECONDS);
    const r = await rec;
    expect(r.usage?.audio_seconds).toBe(MOCK_AUDIO_SECONDS);
    expect(r.costUsd).toBeCloseTo((MOCK_AUDIO_SECONDS / 60) * 0.006, 12);
  });

  it("a streamed transcript (stream: true) is relayed as events", async () => {
    const stream = await w.client.audio.transcriptions.create({ file: await toFile(wav, "a.wav"), model: "whisper-1", stream: true });
    const deltas: string[] = [];
    for await (const e of stream) if (e.type === "transcript.text.delta") deltas.push(e.delta);
    expect(deltas.join("")).toBe("Transcribed whisper-large. ");
  });

  it("openai SDK translations.create", async () => {
    const t = await w.client.audio.translations.create({ file: await toFile(wav, "hello.wav"), model: "whisper-1" });
    expect(t.text).toBe("Hello from the router.");
    expect(w.up.requests.at(-1)?.path).toBe("/v1/audio/translations");
  });

  it("bad forms are 400s naming the field, before any upstream call", async () => {
    const cases: [FormData | string, string, string | null, RegExp][] = [
      [form({ model: "whisper-1" }), "multipart/form-data", "file", /'file'/],
      [form({ model: "whisper-1", response_format: "mp3" }, wav), "", "response_format", /response_format/],
      ['{"model":"whisper-1"}', "application/json", "file", /multipart\/form-data/],
      [form({ model: "gpt-4o" }, wav), "", "model", /chat model.*\/v1\/chat\/completions/],
    ];
    for (const [body, type, param, message] of cases) {
      const headers: Record<string, string> = typeof body === "string" ? { "content-type": type } : {};
      const res = await post("/v1/audio/transcriptions", body, headers);
      const err = ((await res.json()) as { error: { message: string; param: string | null } }).error;
      expect(res.status, err.message).toBe(400);
      expect(err.param).toBe(param);
      expect(err.message).toMatch(message);
    }
    expect(w.up.requests).toHaveLength(0);
  });

  it("a client hanging up mid-upload: nothing is sent upstream, the request ends and the router serves on", async () => {
    const socket = connect(Number(new URL(w.proxy.url).port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const boundary = "b0undary";
    socket.write(
      `POST /v1/audio/transcriptions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${KEY}\r\ncontent-type: multipart/form-data; boundary=${boundary}\r\ncontent-length: 500000\r\n\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n`,
    );
    socket.write(wav.subarray(0, 4096));
    socket.destroy();
    await new Promise((resolve) => socket.once("close", resolve));
    const served = nextRecord("audio.transcriptions");
    const t = await w.client.audio.transcriptions.create({ file: await toFile(wav, "a.wav"), model: "whisper-1" });
    expect(t.text).toBe("Transcribed whisper-large.");
    // Only the second request reached the upstream (once, after the dead target), and no request is left open.
    expect(w.up.requests).toHaveLength(1);
    await served;
    expect(w.proxy.proxy.inFlight()).toBe(0);
  });

  it("an upload over max_audio_bytes is a 413 before any upstream call", async () => {
    const big = Buffer.alloc(MAX_AUDIO + 1024, 1);
    const res = await post("/v1/audio/transcriptions", form({ model: "whisper-1" }, big));
    expect(res.status).toBe(413);
    expect(w.up.requests).toHaveLength(0);
  });

  it("a key's budget is charged per audio minute: once spent, a transcription is refused with a 429 before the upstream", async () => {
    const key = `${KEY}-poor-audio`;
    const audio = new OpenAI({ baseURL: `${w.proxy.url}/v1`, apiKey: key, maxRetries: 0 });
    const rec = nextRecord("audio.transcriptions", (r) => r.key === "poor-audio");
    await audio.audio.transcriptions.create({ file: await toFile(wav, "a.wav"), model: "whisper-1", response_format: "verbose_json" });
    // 2.5 s at $0.006 a minute: $0.00025 against a $0.0001 budget.
    expect((await rec).costUsd).toBeCloseTo(0.00025, 12);
    w.up.requests.length = 0;
    const res = await post("/v1/audio/transcriptions", form({ model: "whisper-1" }, wav), {}, key);
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("insufficient_quota");
    expect(w.up.requests).toHaveLength(0);
  });

  it("every spooled upload is removed once its request is over (served, refused, cut off or too large)", async () => {
    const served = nextRecord("audio.transcriptions");
    await w.client.audio.transcriptions.create({ file: await toFile(wav, "a.wav"), model: "whisper-1" });
    await served;
    const dir = spoolDirectory();
    expect(dir).toBeDefined();
    expect(readdirSync(dir as string)).toEqual([]);
  });
});

describe("speech through the router", () => {
  it("openai SDK speech.create streamed to a file: the audio bytes as the upstream sent them, its content type, characters priced", async () => {
    const rec = nextRecord("audio.speech");
    const res = await w.client.audio.speech.create({ model: "tts-1", voice: "alloy", input: "你好, router", response_format: "mp3" });
    expect(res.headers.get("content-type")).toBe("audio/mpeg");
    expect(res.headers.get("x-router-attempts")).toBe("2");
    const file = join(dir, "speech.mp3");
    await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), createWriteStream(file));
    expect(readFileSync(file).equals(w.up.speech)).toBe(true);
    expect(w.up.requests[0]?.json).toMatchObject({ model: "tts-upstream", voice: "alloy", input: "你好, router" });
    const r = await rec;
    expect(r.usage?.characters).toBe(10);
    expect(r.costUsd).toBeCloseTo((10 / 1e6) * 15, 12);
  });

  it("stream_format sse is relayed as an event stream", async () => {
    const res = await postJson("/v1/audio/speech", { model: "tts-1", voice: "alloy", input: "hi", stream_format: "sse" });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const text = await res.text();
    expect(text).toContain(`"audio":"${w.up.speech.toString("base64")}"`);
    expect(text).toContain("speech.audio.done");
  });

  it("an unknown voice or response_format is a 400 naming it; a namespaced provider voice passes", async () => {
    for (const [field, body] of [
      ["voice", { model: "tts-1", voice: "darth", input: "hi" }],
      ["response_format", { model: "tts-1", voice: "alloy", input: "hi", response_format: "mp4" }],
    ] as const) {
      const res = await postJson("/v1/audio/speech", body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { param: string } }).error.param).toBe(field);
    }
    expect(w.up.requests).toHaveLength(0);
    const ok = await postJson("/v1/audio/speech", { model: "tts-1", voice: "FunAudioLLM/CosyVoice2-0.5B:alex", input: "hi" });
    expect(ok.status).toBe(200);
  });

  it("a key's budget is charged per character: once spent, speech is refused with a 429 before the upstream", async () => {
    // 4,000 characters at $15 per million: $0.06 charged against a $0.0001 budget.
    const rec = nextRecord("audio.speech", (r) => r.usage?.characters === 4000);
    const first = await postJson("/v1/audio/speech", { model: "tts-1", voice: "alloy", input: "x".repeat(4000) }, `${KEY}-poor`);
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    expect((await rec).costUsd).toBeCloseTo(0.06, 12);
    w.up.requests.length = 0;
    const res = await postJson("/v1/audio/speech", { model: "tts-1", voice: "alloy", input: "hi" }, `${KEY}-poor`);
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("insufficient_quota");
    expect(w.up.requests).toHaveLength(0);
  });

  it("concurrent speech against a small budget: the first reserves its characters before sending, the others are refused with 429 while it runs", async () => {
    // Each request speaks 4,000 characters at $15 per million: $0.06 reserved against a $0.05 budget.
    let release = () => {};
    w.up.holdSpeech = new Promise<void>((resolve) => {
      release = resolve;
    });
    const statuses: number[] = [];
    const sends = Array.from({ length: 5 }, () =>
      postJson("/v1/audio/speech", { model: "tts-1", voice: "alloy", input: "y".repeat(4000) }, `${KEY}-poor-speech`).then(async (r) => {
        statuses.push(r.status);
        await r.arrayBuffer();
        return r.status;
      }),
    );
    await vi.waitFor(() => expect(statuses).toHaveLength(4), { timeout: 5000 });
    expect(statuses).toEqual([429, 429, 429, 429]);
    const rec = nextRecord("audio.speech", (r) => r.key === "poor-speech" && r.outcome === "served");
    release();
    expect((await Promise.all(sends)).sort()).toEqual([200, 429, 429, 429, 429]);
    expect(w.up.requests.filter((r) => r.path === "/v1/audio/speech")).toHaveLength(1);
    expect((await rec).costUsd).toBeCloseTo(0.06, 12);
    // Spent past its budget now: refused before the upstream.
    const after = await postJson("/v1/audio/speech", { model: "tts-1", voice: "alloy", input: "hi" }, `${KEY}-poor-speech`);
    expect(after.status).toBe(429);
  });
});
