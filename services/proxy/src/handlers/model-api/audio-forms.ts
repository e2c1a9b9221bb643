import { type TableSettings, TranscriptionForm } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import {
  BinaryPassthrough,
  type FormEndpointName,
  type FormPart,
  formText,
  isMultipartForm,
  multipartEndpointOf,
  type StreamedFile,
  transcriptionUsage,
} from "@ai-router/providers";
import type { Endpoint } from "../../endpoints/endpoint.js";
import { sendError } from "../../http/respond.js";
import { validateBody } from "../../http/validation.js";
import { resolveModel, servePipeline } from "../../pipeline/serve.js";
import type { RequestContext } from "../context.js";
import { type AudioUpload, readAudioUpload } from "./audio-spool.js";

/** The audio upload limit when the table sets none (OpenAI's own). */
export const DEFAULT_MAX_AUDIO_BYTES = 25 * 1024 * 1024;
const audioLimit = (s: TableSettings): number => s.maxAudioBytes ?? DEFAULT_MAX_AUDIO_BYTES;

/**
 * Bytes of audio a second may take at most to be priced: 16 kB/s (128 kbit/s MP3). A budget reserves
 * the upload's size read at this rate; the record charges the `duration` the answer reports.
 */
const BYTES_PER_AUDIO_SECOND = 16_000;

/** A transcription or translation form, checked: every problem is a 400 naming the field. */
export interface AudioForm {
  model: string;
  stream: boolean;
}

const missingFile = () =>
  new RouterError("invalid_request", "Missing required parameter: 'file' (the audio to transcribe).", {
    param: "file",
    publicCode: "missing_required_parameter",
  });

/** Checks text fields by the schema (the first value of each name); a 400 naming the field. */
export function checkAudioFields(fields: readonly FormPart[]): AudioForm {
  const values: Record<string, unknown> = {};
  for (const p of fields) if (!p.name.endsWith("[]") && !(p.name in values)) values[p.name] = formText(p);
  const form = validateBody(TranscriptionForm, values);
  return { model: form.model, stream: form.stream === "true" };
}

const hasModel = (fields: readonly FormPart[]): boolean => fields.some((p) => p.name === "model");

/**
 * Reads the upload until it can be routed (audio-spool.ts): a form naming its `model` before the file is
 * sent on as the file arrives; one naming it after is read whole first (the model picks the target).
 * 400 for a body that is not a form, 413 past the limit.
 */
async function startAudioUpload(ctx: RequestContext): Promise<{ upload: AudioUpload; form: AudioForm }> {
  if (!isMultipartForm(ctx.req.headers["content-type"])) {
    throw new RouterError("invalid_request", "Send the audio as multipart/form-data with a 'file' part (as OpenAI's SDKs do).", {
      param: "file",
    });
  }
  const upload = readAudioUpload(ctx.req, audioLimit(ctx.table.settings), (all) => {
    if (upload.file === undefined || upload.file.size === 0) throw missingFile();
    checkAudioFields(all);
  });
  try {
    await upload.started;
    if (!upload.complete && !hasModel(upload.fields)) await upload.finished;
    const form = checkAudioFields(upload.complete ? upload.fields.concat(upload.late) : upload.fields);
    return { upload, form };
  } catch (err) {
    await upload.dispose();
    throw err;
  }
}

/** Seconds of audio reserved from a budget: the file's size once read, else the declared length (or the limit). */
function audioSecondsAtMost(ctx: RequestContext, upload: AudioUpload): number {
  const declared = Number(ctx.req.headers["content-length"]);
  const bytes = upload.complete ? (upload.file?.size ?? 0) : declared > 0 ? declared : audioLimit(ctx.table.settings);
  return Math.ceil(bytes / BYTES_PER_AUDIO_SECOND);
}

/**
 * `POST /v1/audio/transcriptions` and `/v1/audio/translations`: OpenAI's multipart form (at most the
 * table's `maxAudioBytes`, 413 before any upstream call when the declared length is over it, else the
 * upstream request is aborted), streamed to the first target as it arrives and from the spool to each
 * failover with its upstream model; the answer (json, text, srt, vtt, verbose_json or a transcript
 * stream) relayed as it comes under the upstream's content type.
 */
function audioFormEndpoint(serves: Extract<FormEndpointName, `audio.${string}`>): Endpoint {
  const path = `/v1/${serves.replace(".", "/")}`;
  const handle = async (ctx: RequestContext): Promise<void> => {
    const { upload, form } = await startAudioUpload(ctx);
    try {
      await serveForm(ctx, upload, form);
    } finally {
      await upload.dispose();
    }
  };
  const serveForm = async (ctx: RequestContext, upload: AudioUpload, form: AudioForm): Promise<void> => {
    const model = resolveModel(ctx, form.model);
    await servePipeline(ctx, {
      endpoint: serves,
      modelName: form.model,
      model,
      stream: form.stream,
      binary: true,
      promptTokens: 0,
      maxTokens: 0,
      units: { audio_seconds: audioSecondsAtMost(ctx, upload) },
      exchange: (t, target) => {
        // The upload failed during an attempt (too large, cut off, a bad field after the file): no target can do better.
        if (upload.failure) throw upload.failure;
        const file = upload.file as StreamedFile;
        const adapter = t.live.adapter;
        const ep = multipartEndpointOf(adapter, serves);
        if (!ep?.buildStreamed) return { kind: "unsupported", what: path };
        const fields = upload.complete ? upload.fields.concat(upload.late) : upload.fields;
        return {
          kind: "upstream",
          dropped: [],
          request: ep.buildStreamed(fields, file, target),
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
    // Read by the handler as it arrives (audio-spool.ts) and streamed on, never whole in memory.
    body: "none",
    llmType: "transcription",
    serves,
    answers: ["json", "sse", "binary"],
    usage: { ingress: "openai-audio", endpoint: serves, estimate: "none" },
    handle,
  };
}

export const audioFormEndpoints = (): Endpoint[] => [audioFormEndpoint("audio.transcriptions"), audioFormEndpoint("audio.translations")];
