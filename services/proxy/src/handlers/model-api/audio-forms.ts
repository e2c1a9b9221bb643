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
import { type SpooledForm, spoolAudioForm } from "./audio-spool.js";

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
  fields: FormPart[];
  file: StreamedFile;
  model: string;
  stream: boolean;
}

/** Checks a spooled form: a non-empty `file`, then the text fields by the schema. */
export function checkAudioForm(spooled: SpooledForm): AudioForm {
  const { file } = spooled;
  if (file === undefined || file.size === 0) {
    throw new RouterError("invalid_request", "Missing required parameter: 'file' (the audio to transcribe).", {
      param: "file",
      publicCode: "missing_required_parameter",
    });
  }
  const values: Record<string, unknown> = {};
  for (const p of spooled.fields) if (!p.name.endsWith("[]") && !(p.name in values)) values[p.name] = formText(p);
  const form = validateBody(TranscriptionForm, values);
  return { fields: spooled.fields, file, model: form.model, stream: form.stream === "true" };
}

/** Reads the upload as it arrives (audio-spool.ts): 400 for a body that is not a form, 413 past the limit. */
async function readAudioUpload(ctx: RequestContext): Promise<SpooledForm> {
  if (!isMultipartForm(ctx.req.headers["content-type"])) {
    throw new RouterError("invalid_request", "Send the audio as multipart/form-data with a 'file' part (as OpenAI's SDKs do).", {
      param: "file",
    });
  }
  return spoolAudioForm(ctx.req, audioLimit(ctx.table.settings));
}

/**
 * `POST /v1/audio/transcriptions` and `/v1/audio/translations`: OpenAI's multipart form (at most the
 * table's `maxAudioBytes`, 413 before any upstream call), spooled as it arrives and streamed to each
 * target from the spool with its upstream model, the answer (json, text, srt, vtt, verbose_json or a transcript stream) relayed as it comes under
 * the upstream's content type.
 */
function audioFormEndpoint(serves: Extract<FormEndpointName, `audio.${string}`>): Endpoint {
  const path = `/v1/${serves.replace(".", "/")}`;
  const handle = async (ctx: RequestContext): Promise<void> => {
    const spooled = await readAudioUpload(ctx);
    try {
      await serveForm(ctx, checkAudioForm(spooled));
    } finally {
      await spooled.dispose();
    }
  };
  const serveForm = async (ctx: RequestContext, form: AudioForm): Promise<void> => {
    const model = resolveModel(ctx, form.model);
    await servePipeline(ctx, {
      endpoint: serves,
      modelName: form.model,
      model,
      stream: form.stream,
      binary: true,
      promptTokens: 0,
      maxTokens: 0,
      units: { audio_seconds: Math.ceil(form.file.size / BYTES_PER_AUDIO_SECOND) },
      exchange: (t, target) => {
        const adapter = t.live.adapter;
        const ep = multipartEndpointOf(adapter, serves);
        if (!ep?.buildStreamed) return { kind: "unsupported", what: path };
        return {
          kind: "upstream",
          dropped: [],
          request: ep.buildStreamed(form.fields, form.file, target),
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
    // Read by the handler as it arrives (audio-spool.ts), never whole in memory.
    body: "none",
    llmType: "transcription",
    serves,
    answers: ["json", "sse", "binary"],
    usage: { ingress: "openai-audio", endpoint: serves, estimate: "none" },
    handle,
  };
}

export const audioFormEndpoints = (): Endpoint[] => [audioFormEndpoint("audio.transcriptions"), audioFormEndpoint("audio.translations")];
