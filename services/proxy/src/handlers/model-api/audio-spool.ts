import { mkdtempSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RouterError } from "@ai-router/errors";
import type { FormPart, StreamedFile } from "@ai-router/providers";
import busboy from "busboy";
import { GrowingSpool } from "./spool-file.js";

/**
 * A transcription form as it is read off the wire: the text fields before the file, the file (spooled
 * to disk as it arrives, readable while it does), and the fields after it.
 */
export interface AudioUpload {
  /** Text fields sent before the file, in order. */
  fields: FormPart[];
  /** Text fields sent after the file (all of them once `complete`); a `model` after one before it is dropped. */
  late: FormPart[];
  /** The file part, once it began. */
  file: StreamedFile | undefined;
  /** The whole form is read and the file on disk. */
  complete: boolean;
  failure: RouterError | undefined;
  /** Resolves once the file part begins or the form is read whole; rejects if the form fails first. */
  started: Promise<void>;
  /** Resolves once the whole form is read and checked; rejects with the upload's failure. */
  finished: Promise<void>;
  /** Stops the upload: readers of its file stop with `err`, the rest of the body is drained. */
  fail(err: RouterError): void;
  /** Removes the spooled file (once the request is over, whatever happened). */
  dispose(): Promise<void>;
}

const MAX_FIELDS = 64;
const MAX_FIELD_BYTES = 64 * 1024;
/** The form's own lines and text fields, allowed beyond the file's limit in a declared length. */
const FORM_SLACK_BYTES = 1024 * 1024;

let spoolDir: string | undefined;
let spoolSeq = 0;
/** This process's spool directory, made once (the first upload). */
const spoolPath = (): string => {
  spoolDir ??= mkdtempSync(join(tmpdir(), "ai-router-audio-"));
  spoolSeq++;
  return join(spoolDir, `upload-${spoolSeq}`);
};

/** The spool directory, once an upload made it (tests check it is left empty). */
export const spoolDirectory = (): string | undefined => spoolDir;

const tooLarge = (limit: number) =>
  new RouterError("body_too_large", `The audio upload is too large: the limit is ${limit} bytes.`, { publicCode: "request_too_large" });

const noop = () => {};

/**
 * Reads a multipart/form-data upload as it arrives (busboy): text fields kept (bounded), the `file` part
 * written to a spool file that readers follow while it grows, so an upstream gets the audio as the
 * client sends it and a failover reads it again; memory holds busboy's window and one piece per reader.
 * A declared length over `limit` is a 413 before anything is read; a file passing it fails the upload
 * (413), as does a client hanging up. `check` sees every field once the form is read, before it counts
 * as finished (a bad field after the file fails it).
 */
export function readAudioUpload(req: IncomingMessage, limit: number, check: (fields: readonly FormPart[]) => void): AudioUpload {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit + FORM_SLACK_BYTES) throw tooLarge(limit);
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      // Filenames as browsers and SDKs send them: UTF-8 (busboy's default reads them as latin1).
      defParamCharset: "utf8",
      limits: { fileSize: limit, files: 1, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: MAX_FIELDS + 1 },
    });
  } catch (err) {
    throw new RouterError("invalid_request", `Malformed multipart/form-data: ${(err as Error).message}`, { param: "file" });
  }
  let spool: GrowingSpool | undefined;
  let fileEnded: Promise<void> | undefined;
  let begin: () => void = noop;
  let stop: (err: RouterError) => void = noop;
  let finish: () => void = noop;
  let abandon: (err: RouterError) => void = noop;
  const started = new Promise<void>((resolve, reject) => {
    begin = resolve;
    stop = reject;
  });
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    abandon = reject;
  });
  // Nobody may be waiting on either when the upload fails.
  started.catch(noop);
  finished.catch(noop);

  const upload: AudioUpload = {
    fields: [],
    late: [],
    file: undefined,
    complete: false,
    failure: undefined,
    started,
    finished,
    fail(err) {
      if (upload.failure || upload.complete) return;
      upload.failure = err;
      req.unpipe(bb);
      req.resume();
      spool?.fail(err);
      stop(err);
      abandon(err);
    },
    async dispose() {
      if (!upload.complete) upload.fail(new RouterError("invalid_request", "The audio upload was not read to its end."));
      await spool?.remove();
    },
  };
  const { fail } = upload;

  bb.on("field", (name, value, info) => {
    if (info.valueTruncated)
      return fail(new RouterError("invalid_request", `'${name}' is longer than ${MAX_FIELD_BYTES} bytes.`, { param: name }));
    const part = { name, data: Buffer.from(value) };
    if (upload.file === undefined) upload.fields.push(part);
    // A form routed by the `model` before its file sends that one; a second after it is dropped.
    else if (name !== "model" || !upload.fields.some((p) => p.name === "model")) upload.late.push(part);
  });
  bb.on("file", (name, stream, info) => {
    if (name !== "file" || spool !== undefined) {
      stream.resume();
      return fail(new RouterError("invalid_request", `Unexpected file part '${name}': send one audio upload as 'file'.`, { param: name }));
    }
    const s = new GrowingSpool(spoolPath());
    spool = s;
    let size = 0;
    stream.on("data", (c: Buffer) => {
      size += c.length;
      if (!s.write(c)) {
        stream.pause();
        s.onDrain(() => stream.resume());
      }
    });
    stream.once("limit", () => fail(tooLarge(limit)));
    fileEnded = new Promise<void>((resolve, reject) => {
      stream.once("end", () => s.end().then(resolve, reject));
    });
    fileEnded.catch(noop);
    upload.file = {
      name: "file",
      filename: info.filename ?? "audio",
      contentType: info.mimeType,
      get size() {
        return size;
      },
      get complete() {
        return upload.complete;
      },
      open: () => s.reader(),
      after: () => finished.then(() => upload.late),
    };
    begin();
  });
  bb.once("close", () => {
    if (upload.failure) return;
    (fileEnded ?? Promise.resolve()).then(
      () => {
        if (upload.failure) return;
        try {
          check(upload.fields.concat(upload.late));
        } catch (err) {
          return fail(err as RouterError);
        }
        upload.complete = true;
        begin();
        finish();
      },
      () => fail(new RouterError("internal_error", "The audio upload could not be spooled.")),
    );
  });
  bb.once("partsLimit", () => fail(new RouterError("invalid_request", `At most ${MAX_FIELDS} form fields.`)));
  bb.once("fieldsLimit", () => fail(new RouterError("invalid_request", `At most ${MAX_FIELDS} form fields.`)));
  bb.once("filesLimit", () => fail(new RouterError("invalid_request", "Send one 'file'.", { param: "file" })));
  bb.once("error", (err: Error) => fail(new RouterError("invalid_request", `Malformed multipart/form-data body: ${err.message}`)));
  // A client hanging up mid-upload: the upstream request fed from the spool is aborted with it.
  req.once("close", () => {
    if (!req.complete) fail(new RouterError("invalid_request", "The client closed the connection during the upload."));
  });
  req.pipe(bb);
  return upload;
}
