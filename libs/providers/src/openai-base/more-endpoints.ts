import type { OpenAIUsage } from "@ai-router/contracts";
import type {
  ChatStreamTranslator,
  MultipartEndpoint,
  PassthroughEndpoint,
  StreamingPassthroughEndpoint,
  TargetContext,
} from "../adapter.js";
import { encodeMultipart, encodeMultipartStream } from "../multipart.js";
import { PassthroughStream } from "../passthrough-stream.js";
import { openAIHeaders, postJson } from "./api.js";
import { toUpstreamError } from "./errors.js";
import { toUpstreamForm } from "./images.js";
import { extractUsage, normalizeUsage } from "./usage.js";

/** The client's JSON body with the target's defaults under it and the model set to the upstream id. */
export const upstreamJson = (body: Record<string, unknown>, target: TargetContext): string =>
  JSON.stringify(Object.assign({}, target.params, body, { model: target.upstreamModel }));

/**
 * An OpenAI-style event stream passed through as it is (legacy completions), its usage (the last
 * chunk's, when the client asked with `stream_options`) and an in-band `error` read on the way.
 */
export class OpenAIEventPassthrough extends PassthroughStream {
  complete = false;
  protected observe(_event: string | undefined, data: string): void {
    if (data === "[DONE]") {
      this.complete = true;
      return;
    }
    if (!data.includes('"usage"') && !data.includes('"error"')) return;
    let parsed: { usage?: unknown; error?: unknown } | undefined;
    try {
      parsed = JSON.parse(data) as { usage?: unknown; error?: unknown };
    } catch {
      return;
    }
    const u = normalizeUsage(parsed?.usage);
    if (u) this.usage = u;
    if (parsed?.error !== undefined && parsed.error !== null) this.error = toUpstreamError(this.nothingSent ? 500 : 200, parsed);
  }
}

/** OpenAI's legacy `POST /completions` (with `suffix` where the upstream supports it), JSON or SSE. */
export const openAICompletions = (path = "/completions"): StreamingPassthroughEndpoint => ({
  build: (body, target) => postJson(path, upstreamJson(body, target), target, body.stream === true),
  parse: (body) => ({ body, usage: extractUsage(body) }),
  createStream: () => new OpenAIEventPassthrough(),
});

/** A JSON endpoint passed through (moderations): the answer as it is, its usage if it reports one. */
export const openAIJson = (path: string): PassthroughEndpoint => ({
  build: (body, target) => postJson(path, upstreamJson(body, target), target),
  parse: (body) => ({ body, usage: extractUsage(body) }),
});

/**
 * `POST /audio/speech`: the JSON request up; the audio comes back as bytes (or an event stream with
 * `stream_format: "sse"`) relayed as they arrive. Usage is the characters spoken.
 */
export const openAISpeech = (path = "/audio/speech"): PassthroughEndpoint => ({
  build: (body, target) => {
    const req = postJson(path, upstreamJson(body, target), target);
    req.headers.accept = "*/*";
    return req;
  },
  parse: (body, request) => ({ body, usage: speechUsage(request) }),
});

/** The characters a speech request speaks, as its usage (priced per million characters). */
export function speechUsage(request: Record<string, unknown>): OpenAIUsage {
  const input = typeof request.input === "string" ? request.input : "";
  return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, characters: input.length };
}

/**
 * `POST /audio/transcriptions` and `/audio/translations`: the client's form re-encoded with `model` set
 * to the upstream id. The usage is the audio's `duration` when the answer reports it (verbose_json),
 * else its tokens (gpt-4o-transcribe's `usage`).
 */
export const openAITranscription = (path: string): MultipartEndpoint => ({
  build(parts, target) {
    const { body, contentType } = encodeMultipart(toUpstreamForm(parts, target));
    const headers = Object.assign(openAIHeaders(target), { "content-type": contentType, accept: "*/*" });
    return { method: "POST", path, headers, body };
  },
  buildStreamed(fields, file, target) {
    const { body, contentType, length } = encodeMultipartStream(toUpstreamForm(fields, target), file);
    const headers = Object.assign(openAIHeaders(target), { "content-type": contentType, accept: "*/*" });
    // A file still arriving goes chunked: its length is not known yet.
    if (length !== undefined) headers["content-length"] = String(length);
    return { method: "POST", path, headers, body };
  },
  usage: transcriptionUsage,
});

const DURATION = /"duration"\s*:\s*([0-9.]+)/;

/** Usage of a transcription answer: seconds of audio (verbose_json's `duration`) and any tokens it reports. */
export function transcriptionUsage(body: Buffer): OpenAIUsage | undefined {
  const text = body.length < 1 << 20 ? body.toString("utf8") : body.toString("utf8", 0, 1 << 20);
  const u = text.includes('"usage"') ? extractUsage(body) : undefined;
  const d = DURATION.exec(text);
  const seconds = d ? Number(d[1]) : undefined;
  if (seconds === undefined || !Number.isFinite(seconds)) return u;
  return Object.assign({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, u, { audio_seconds: seconds });
}

/** Bytes of an answer relayed as they are that are kept for reading its usage (a transcript's head). */
const USAGE_HEAD_BYTES = 64 * 1024;

/**
 * An answer relayed byte for byte (speech audio, transcripts in any format): each chunk goes to the
 * client as it arrives. `usageOf`, when given, reads the usage from the answer's first 64 KiB at its
 * end (a transcript's `duration`); otherwise `usage` is known up front (a speech request's characters).
 */
export class BinaryPassthrough implements ChatStreamTranslator {
  readonly error = undefined;
  private head: Buffer[] | undefined;
  private headBytes = 0;

  constructor(
    public usage: OpenAIUsage | undefined,
    private readonly usageOf?: (head: Buffer) => OpenAIUsage | undefined,
  ) {
    if (usageOf) this.head = [];
  }

  push(chunk: Buffer): Buffer {
    if (this.head !== undefined && this.headBytes < USAGE_HEAD_BYTES) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
    }
    return chunk;
  }

  end(): string {
    if (this.head !== undefined && this.usageOf) this.usage = this.usageOf(Buffer.concat(this.head)) ?? this.usage;
    this.head = undefined;
    return "";
  }
}
