import { createReadStream, createWriteStream, mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RouterError } from "@ai-router/errors";
import type { FormPart, StreamedFile } from "@ai-router/providers";
import busboy from "busboy";

/** A transcription form read off the wire: its text fields in order, the file spooled to disk. */
export interface SpooledForm {
  fields: FormPart[];
  file: StreamedFile | undefined;
  /** Removes the spooled file (once the request is over, whatever happened). */
  dispose(): Promise<void>;
}

const MAX_FIELDS = 64;
const MAX_FIELD_BYTES = 64 * 1024;
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

/**
 * Reads a multipart/form-data upload as it arrives: text fields kept (bounded), the `file` part written
 * to a spool file in 64 KiB pieces, so memory holds no more than busboy's window whatever the file's
 * size, and each attempt (failover) reads the file again. A declared length over `limit` is a 413 before
 * anything is read; a file passing it stops the read (413). A client hanging up rejects at once.
 */
export function spoolAudioForm(req: IncomingMessage, limit: number): Promise<SpooledForm> {
  const declared = Number(req.headers["content-length"]);
  // The file may take `limit`; its fields and the form's own lines a little more.
  if (declared > limit + FORM_SLACK_BYTES) return Promise.reject(tooLarge(limit));
  const fields: FormPart[] = [];
  let file: StreamedFile | undefined;
  let path: string | undefined;
  const dispose = async () => {
    if (path !== undefined) await rm(path, { force: true });
  };
  return new Promise<SpooledForm>((resolve, reject) => {
    let settled = false;
    let writing: Promise<void> | undefined;
    const fail = (err: RouterError) => {
      if (settled) return;
      settled = true;
      req.unpipe();
      req.resume();
      void dispose();
      reject(err);
    };
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { fileSize: limit, files: 1, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: MAX_FIELDS + 1 },
      });
    } catch (err) {
      reject(new RouterError("invalid_request", `Malformed multipart/form-data: ${(err as Error).message}`, { param: "file" }));
      return;
    }
    bb.on("field", (name, value, info) => {
      if (info.valueTruncated)
        return fail(new RouterError("invalid_request", `'${name}' is longer than ${MAX_FIELD_BYTES} bytes.`, { param: name }));
      fields.push({ name, data: Buffer.from(value) });
    });
    bb.on("file", (name, stream, info) => {
      if (name !== "file" || path !== undefined) {
        stream.resume();
        return fail(
          new RouterError("invalid_request", `Unexpected file part '${name}': send one audio upload as 'file'.`, { param: name }),
        );
      }
      const at = spoolPath();
      path = at;
      let size = 0;
      const out = createWriteStream(at);
      stream.on("data", (c: Buffer) => {
        size += c.length;
      });
      stream.once("limit", () => fail(tooLarge(limit)));
      writing = new Promise<void>((done, broke) => {
        out.once("finish", done);
        out.once("error", broke);
      });
      stream.pipe(out);
      const filename = info.filename ?? "audio";
      file = {
        name: "file",
        filename,
        contentType: info.mimeType,
        get size() {
          return size;
        },
        open: () => createReadStream(at, { highWaterMark: 64 * 1024 }),
      };
    });
    bb.once("close", () => {
      if (settled) return;
      (writing ?? Promise.resolve()).then(
        () => {
          if (settled) return;
          settled = true;
          resolve({ fields, file, dispose });
        },
        () => fail(new RouterError("internal_error", "The audio upload could not be spooled.")),
      );
    });
    bb.once("partsLimit", () => fail(new RouterError("invalid_request", `At most ${MAX_FIELDS} form fields.`)));
    bb.once("fieldsLimit", () => fail(new RouterError("invalid_request", `At most ${MAX_FIELDS} form fields.`)));
    bb.once("filesLimit", () => fail(new RouterError("invalid_request", "Send one 'file'.", { param: "file" })));
    bb.once("error", (err: Error) => fail(new RouterError("invalid_request", `Malformed multipart/form-data body: ${err.message}`)));
    // A client that hangs up mid-upload: nothing was sent upstream; the spool file goes.
    req.once("close", () => {
      if (!req.complete) fail(new RouterError("invalid_request", "The client closed the connection during the upload."));
    });
    req.pipe(bb);
  });
}
