import type { IncomingMessage } from "node:http";
import { type Readable, Transform } from "node:stream";
import { storableText } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import busboy from "busboy";
import { FILE_PURPOSES, type FilePurpose, type FileStore } from "./file-store.js";
import { JsonlCheck } from "./jsonl-check.js";

/** Largest file per purpose (OpenAI's: 200 MB for a batch input, 512 MB otherwise). */
export const DEFAULT_FILE_LIMITS: Record<FilePurpose, number> = {
  batch: 200 * 1024 * 1024,
  batch_output: 512 * 1024 * 1024,
  "fine-tune": 512 * 1024 * 1024,
  "fine-tune-results": 512 * 1024 * 1024,
  assistants: 512 * 1024 * 1024,
  vision: 512 * 1024 * 1024,
  user_data: 512 * 1024 * 1024,
  evals: 512 * 1024 * 1024,
};

/** What a client may upload: these purposes (the others are the router's own outputs). */
const UPLOADABLE = new Set<string>(FILE_PURPOSES.filter((p) => p !== "batch_output" && p !== "fine-tune-results"));

export interface Uploaded {
  bytes: number;
  filename: string;
  purpose: FilePurpose;
}

/** A client's file name, cleaned for records and listings: no control characters, lone surrogates or path, at most 255 characters. */
export function cleanFilename(name: string | undefined): string {
  const base = (name ?? "").split(/[\\/]/).pop() ?? "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const clean = base.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "").trim();
  // Cut first: a pair cut in two is a lone surrogate, which PostgreSQL (cluster file store) cannot keep.
  return storableText(clean.slice(0, 255)) || "upload";
}

const bad = (message: string, param: string | null = null) => new RouterError("invalid_request", message, { param });

/**
 * Reads a `multipart/form-data` upload (`file` and `purpose`, in either order) and streams the file
 * into the store under `id` as it arrives: never whole in memory. While it streams, its size is
 * bounded (the largest limit of any purpose; the purpose's own once known) and `batch` / `fine-tune`
 * JSONL is checked line by line. A file that fails is removed and the client gets the line number.
 */
export async function receiveUpload(
  req: IncomingMessage,
  store: FileStore,
  id: string,
  limits: Record<FilePurpose, number>,
  fileField = "file",
  fixedPurpose?: FilePurpose,
): Promise<Uploaded> {
  const max = Math.max(...Object.values(limits));
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      defParamCharset: "utf8",
      limits: { files: 1, fields: 8, fieldSize: 4096, parts: 10, fileSize: max },
    });
  } catch {
    throw new RouterError("unsupported_media_type", "Expected a multipart/form-data body with `file` and `purpose`.");
  }
  let purpose: string | undefined = fixedPurpose;
  let filename = "";
  let written: Promise<number> | undefined;
  let tooLarge = false;
  const checks: JsonlCheck[] = [];
  const checkFor = (p: string | undefined) => checks.find((c) => c.purpose === p);
  const done = new Promise<void>((resolve, reject) => {
    bb.on("field", (name, value) => {
      if (name === "purpose" && fixedPurpose === undefined) purpose = value;
    });
    bb.on("file", (name, stream: Readable, info) => {
      if (name !== fileField || written !== undefined) {
        stream.resume();
        return;
      }
      filename = cleanFilename(info.filename);
      for (const p of ["batch", "fine-tune"] as const) if (purpose === undefined || purpose === p) checks.push(new JsonlCheck(p));
      // Checked as the bytes pass on to the store (a transform: nothing flows before the store reads).
      const checked = new Transform({
        transform(c: Buffer, _enc, next) {
          for (const check of checks) check.push(c);
          next(null, c);
        },
      });
      // Past the limit busboy drops the rest of the file: what was written is removed below.
      stream.on("limit", () => {
        tooLarge = true;
      });
      stream.on("error", (err) => checked.destroy(err));
      written = store.write(id, stream.pipe(checked));
      written.catch(() => {});
    });
    bb.on("close", resolve);
    bb.on("error", (err: Error) => reject(bad(`The multipart body could not be read: ${err.message.slice(0, 100)}.`)));
    req.on("error", reject);
  });
  req.pipe(bb);
  await done;
  if (written === undefined) throw bad(`Missing the \`${fileField}\` part of the form.`, fileField);
  const bytes = tooLarge
    ? await written.then(
        () => -1,
        () => -1,
      )
    : await written;
  const fail = async (err: RouterError) => {
    await store.remove(id);
    return err;
  };
  if (purpose === undefined || !UPLOADABLE.has(purpose)) {
    throw await fail(bad(`\`purpose\` must be one of ${[...UPLOADABLE].join(", ")}.`, "purpose"));
  }
  const p = purpose as FilePurpose;
  if (bytes < 0 || bytes > limits[p]) {
    throw await fail(new RouterError("body_too_large", `Files for purpose ${p} may be at most ${limits[p]} bytes.`, { param: fileField }));
  }
  const problem = checkFor(p)?.end();
  if (problem !== undefined) throw await fail(bad(`Invalid file for purpose ${p}: ${problem}.`, fileField));
  return { bytes, filename, purpose: p };
}
