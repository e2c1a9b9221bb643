import { type TableSettings, TranscriptionForm } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import {
  BinaryPassthrough,
  boundaryOf,
  type FormEndpointName,
  type FormPart,
  formText,
  isMultipartForm,
  MultipartError,
  multipartEndpointOf,
  parseMultipart,
  transcriptionUsage,
} from "@ai-router/providers";
import type { Endpoint } from "../../endpoints/endpoint.js";
import { sendError } from "../../http/respond.js";
import { validateBody } from "../../http/validation.js";
import { resolveModel, servePipeline } from "../../pipeline/serve.js";
import type { RequestContext } from "../context.js";

/** The audio upload limit when the table sets none (OpenAI's own). */
export const DEFAULT_MAX_AUDIO_BYTES = 25 * 1024 * 1024;
const audioLimit = (s: TableSettings): number => s.maxAudioBytes ?? DEFAULT_MAX_AUDIO_BYTES;

/**
 * Bytes of audio a second may take at most to be priced: 16 kB/s (128 kbit/s MP3). A budget reserves
 * the upload's size read at this rate; the record charges the `duration` the answer reports.
 */
const BYTES_PER_AUDIO_SECOND = 16_000;

/** A transcription or translation form, split and checked: every problem is a 400 naming the field. */
export interface AudioForm {
  parts: FormPart[];
  model: string;
  fileBytes: number;
  stream: boolean;
}

export function readAudioForm(raw: Buffer, contentType: string | undefined): AudioForm {
  if (!isMultipartForm(contentType)) {
    throw new RouterError("invalid_request", "Send the audio as multipart/form-data with a 'file' part (as OpenAI's SDKs do).", {
      param: "file",
    });
  }
  let parts: FormPart[];
  const fields: Record<string, unknown> = {};
  let file: FormPart | undefined;
  try {
    parts = parseMultipart(raw, boundaryOf(contentType as string));
  } catch (err) {
    if (err instanceof MultipartError) throw new RouterError("invalid_request", `Malformed multipart/form-data body: ${err.message}`);
    throw err;
  }
  for (const p of parts) {
    if (p.name === "file") {
      if (p.filename === undefined && p.contentType === undefined) {
        throw new RouterError("invalid_request", "'file' must be a file upload, not a text field.", { param: "file" });
      }
      if (file !== undefined) throw new RouterError("invalid_request", "Send one 'file'.", { param: "file" });
      file = p;
    } else if (p.filename === undefined && !p.name.endsWith("[]") && !(p.name in fields)) fields[p.name] = formText(p);
  }
  if (file === undefined || file.data.length === 0) {
    throw new RouterError("invalid_request", "Missing required parameter: 'file' (the audio to transcribe).", {
      param: "file",
      publicCode: "missing_required_parameter",
    });
  }
  const form = validateBody(TranscriptionForm, fields);
  return { parts, model: form.model, fileBytes: file.data.length, stream: form.stream === "true" };
}

/**
 * `POST /v1/audio/transcriptions` and `/v1/audio/translations`: OpenAI's multipart form (at most the
 * table's `maxAudioBytes`, 413 before any upstream call), re-encoded for each target with its upstream
 * model, the answer (json, text, srt, vtt, verbose_json or a transcript stream) relayed as it comes under
 * the upstream's content type.
 */
function audioFormEndpoint(serves: Extract<FormEndpointName, `audio.${string}`>): Endpoint {
  const path = `/v1/${serves.replace(".", "/")}`;
  const handle = async (ctx: RequestContext): Promise<void> => {
    const form = readAudioForm(ctx.body, ctx.req.headers["content-type"]);
    const model = resolveModel(ctx, form.model);
    await servePipeline(ctx, {
      endpoint: serves,
      modelName: form.model,
      model,
      stream: form.stream,
      binary: true,
      promptTokens: 0,
      maxTokens: 0,
      units: { audio_seconds: Math.ceil(form.fileBytes / BYTES_PER_AUDIO_SECOND) },
      exchange: (t, target) => {
        const adapter = t.live.adapter;
        const ep = multipartEndpointOf(adapter, serves);
        if (!ep) return { kind: "unsupported", what: path };
        return {
          kind: "upstream",
          dropped: [],
          request: ep.build(form.parts, target),
          parse: (bytes) => ({ body: bytes, usage: ep.usage(bytes) }),
          createStream: () => new BinaryPassthrough(undefined, transcriptionUsage),
          parseError: adapter.parseError,
        };
      },
      sendError,
      streamError: () => "",
    });
  };
  return {
    method: "POST",
    path,
    auth: true,
    body: "multipart",
    bodyLimit: audioLimit,
    llmType: "transcription",
    serves,
    answers: ["json", "sse", "binary"],
    usage: { ingress: "openai-audio", endpoint: serves, estimate: "none" },
    handle,
  };
}

export const audioFormEndpoints = (): Endpoint[] => [audioFormEndpoint("audio.transcriptions"), audioFormEndpoint("audio.translations")];
