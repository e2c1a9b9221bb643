import type { IncomingMessage } from "node:http";
import { promisify } from "node:util";
import * as zlib from "node:zlib";
import { RouterError } from "@ai-router/errors";
import { MAX_JSON_DEPTH, withinJsonDepth } from "./json-depth.js";

type Decompress = (buf: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer>;
const zstd = (zlib as unknown as { zstdDecompress?: (b: Buffer, o: object, cb: (e: Error | null, r: Buffer) => void) => void })
  .zstdDecompress;
/** Request `Content-Encoding`s the router reads (zstd where the Node.js build has it, 22.15+). */
const decoders: Record<string, Decompress | undefined> = {
  gzip: promisify(zlib.gunzip) as Decompress,
  "x-gzip": promisify(zlib.gunzip) as Decompress,
  deflate: promisify(zlib.inflate) as Decompress,
  br: promisify(zlib.brotliDecompress) as Decompress,
  zstd: zstd ? (promisify(zstd) as Decompress) : undefined,
};

/**
 * Reads the body and undoes its `Content-Encoding` (gzip, deflate, br; zstd on Node.js builds that
 * have it). The limit applies to the decoded size too; an unknown encoding is a 415.
 */
export function readDecodedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const enc = req.headers["content-encoding"]?.trim().toLowerCase();
  // The common case, a plain body, is the read itself.
  if (!enc || enc === "identity") return readBody(req, limit);
  return readEncoded(req, limit, enc);
}

async function readEncoded(req: IncomingMessage, limit: number, enc: string): Promise<Buffer> {
  const raw = await readBody(req, limit);
  const decode = decoders[enc];
  if (!decode) {
    throw new RouterError("unsupported_media_type", `Content-Encoding '${enc}' is not supported; send the body uncompressed or gzip.`);
  }
  try {
    return await decode(raw, { maxOutputLength: limit });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(limit);
    throw new RouterError("invalid_request", `The request body is not valid ${enc} data.`);
  }
}

/**
 * Reads the request body up to `limit` bytes. Refuses early on a Content-Length over the limit and
 * stops reading (413) as soon as a chunked body passes it.
 */
/** Slow clients are cut off by the server's `requestTimeout` (a 408), not by a timer per request. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: RouterError) => {
      if (done) return;
      done = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      if (err) {
        req.pause();
        reject(err);
      } else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) return finish(tooLarge(limit));
      chunks.push(c);
    };
    const onEnd = () => finish();
    const onError = () => finish(new RouterError("invalid_request", "The request body could not be read."));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

const tooLarge = (limit: number) =>
  new RouterError("body_too_large", `Request body too large: the limit is ${limit} bytes.`, { publicCode: "request_too_large" });

const tooDeep = () =>
  new RouterError("invalid_json", `The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`, {
    publicCode: "json_too_deep",
  });

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses a JSON object body; invalid UTF-8, invalid JSON, nesting past MAX_JSON_DEPTH and non-objects are 400s. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) throw new RouterError("invalid_json", "The request body is empty; expected a JSON object.");
  // Before JSON.parse: a deeply nested body holds the event loop for seconds while it is parsed.
  if (!withinJsonDepth(body)) throw tooDeep();
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new RouterError("invalid_json", "The request body is not valid UTF-8.");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RouterError(
      "invalid_json",
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new RouterError("invalid_json", "The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}
