import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";

/** One part of a multipart/form-data body (RFC 7578). A file part is one with a filename. */
export interface FormPart {
  /** The form field name (`image`, `image[]`, `prompt`...). */
  name: string;
  /** Present on file parts. */
  filename?: string;
  /** The part's declared Content-Type. */
  contentType?: string;
  /** The part's bytes, exactly as sent. */
  data: Buffer;
}

/** A body that is not well-formed multipart/form-data; its message is safe to show to the client. */
export class MultipartError extends Error {
  override readonly name = "MultipartError";
}

/** Caps that keep a hostile body from costing more than its size. */
const MAX_PARTS = 1000;
const MAX_HEADER_BYTES = 16 * 1024;
// RFC 2046 bchars, 1 to 70 of them, not ending in a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const CRLF = Buffer.from("\r\n");
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** True when a Content-Type header names multipart/form-data. */
export function isMultipartForm(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*multipart\/form-data\s*(;|$)/i.test(contentType);
}

/** The boundary parameter of a multipart Content-Type, validated. */
export function boundaryOf(contentType: string): string {
  const m = /;\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(contentType);
  const boundary = m ? (m[1]?.replace(/\\(.)/g, "$1") ?? m[2]) : undefined;
  if (!boundary) throw new MultipartError("The multipart/form-data Content-Type has no boundary parameter.");
  if (!BOUNDARY.test(boundary)) throw new MultipartError("The multipart/form-data boundary is not valid (1 to 70 characters of RFC 2046).");
  return boundary;
}

/**
 * Parses a whole multipart/form-data body. Binary-safe: a part ends only at CRLF + `--boundary`
 * followed by `--` or the end of the line, so boundary-like text and CRLFs inside data are kept.
 * Throws MultipartError on anything malformed, including a body cut before its closing delimiter.
 */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const dash = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // The first delimiter may open the body or follow a preamble.
  let at = body.subarray(0, dash.length).equals(dash) ? 0 : body.indexOf(delimiter);
  if (at < 0) throw new MultipartError("The multipart body does not contain its boundary.");
  if (at > 0) at += 2;
  let pos = at + dash.length;
  const parts: FormPart[] = [];
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // `--`: close delimiter, the rest is epilogue
    pos = skipLineEnd(body, pos);
    let dataStart: number;
    let headerText = "";
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) {
      dataStart = pos + 2; // a part with no headers (rejected below for its missing name)
    } else {
      const headerEnd = body.indexOf("\r\n\r\n", pos);
      const early = body.indexOf(delimiter, pos);
      if (headerEnd < 0 || (early >= 0 && early < headerEnd)) {
        throw new MultipartError("A multipart part's headers are cut off or not ended by an empty line.");
      }
      if (headerEnd - pos > MAX_HEADER_BYTES) throw new MultipartError("A multipart part has too many header bytes.");
      headerText = decodeHeaders(body.subarray(pos, headerEnd));
      dataStart = headerEnd + 4;
    }
    const next = findDelimiter(body, delimiter, dataStart);
    if (next < 0) throw new MultipartError("The multipart body was cut off: its closing boundary is missing.");
    if (parts.length >= MAX_PARTS) throw new MultipartError(`The multipart body has more than ${MAX_PARTS} parts.`);
    parts.push(Object.assign(partHeaders(headerText), { data: body.subarray(dataStart, next) }));
    pos = next + delimiter.length;
    if (pos >= body.length) throw new MultipartError("The multipart body was cut off: its closing boundary is missing.");
  }
  return parts;
}

/**
 * The next CRLF--boundary that really is a delimiter (followed by `--` or padding and CRLF); a
 * longer line that only starts with the boundary is data.
 */
function findDelimiter(body: Buffer, delimiter: Buffer, from: number): number {
  for (let at = body.indexOf(delimiter, from); at >= 0; at = body.indexOf(delimiter, at + 1)) {
    let i = at + delimiter.length;
    if (i >= body.length || (body[i] === 0x2d && body[i + 1] === 0x2d)) return at;
    while (body[i] === 0x20 || body[i] === 0x09) i++;
    if (i >= body.length || body[i] === 0x0d) return at;
  }
  return -1;
}

/** After a delimiter: optional transport padding, then CRLF. */
function skipLineEnd(body: Buffer, pos: number): number {
  let i = pos;
  while (body[i] === 0x20 || body[i] === 0x09) i++;
  if (i >= body.length) throw new MultipartError("The multipart body was cut off: its closing boundary is missing.");
  if (body[i] !== 0x0d || body[i + 1] !== 0x0a) throw new MultipartError("A multipart boundary is not followed by a line break.");
  return i + 2;
}

function decodeHeaders(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new MultipartError("A multipart part's headers are not valid UTF-8.");
  }
}

function partHeaders(text: string): Omit<FormPart, "data"> {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of text ? text.split("\r\n") : []) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new MultipartError("A multipart part has a malformed header line.");
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "content-disposition") disposition = value;
    else if (key === "content-type") contentType = value;
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) {
    throw new MultipartError("A multipart part lacks a `Content-Disposition: form-data` header.");
  }
  const params = dispositionParams(disposition);
  const name = params.get("name");
  if (name === undefined || name === "") throw new MultipartError("A multipart part has no field name.");
  const filename = params.get("filename*") ?? params.get("filename");
  return { name, ...(filename !== undefined ? { filename } : {}), ...(contentType ? { contentType } : {}) };
}

/** `name="a"; filename="b"; filename*=UTF-8''c` -> a map; quoted strings may escape with `\`. */
function dispositionParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const key = (m[1] as string).toLowerCase();
    let v = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] as string).trim();
    if (key.endsWith("*")) {
      // RFC 5987: charset'lang'percent-encoded
      const ext = /^([^']*)'[^']*'(.*)$/.exec(v);
      if (!ext) continue;
      try {
        v = decodeURIComponent(ext[2] as string);
      } catch {
        continue;
      }
    }
    out.set(key, v);
  }
  return out;
}

/** Quotes a name or filename the way browsers and undici's FormData do. */
const quote = (s: string) => `"${s.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}"`;

/** A fresh boundary that cannot collide with RFC 2046 rules. */
export function newBoundary(): string {
  return `----AIRouterFormBoundary${randomBytes(12).toString("hex")}`;
}

/**
 * Encodes parts as multipart/form-data with a new boundary (one that occurs in no part's data).
 * Returns the body and the Content-Type that names its boundary.
 */
export function encodeMultipart(parts: readonly FormPart[], boundary: string = newBoundary()): { body: Buffer; contentType: string } {
  let b = boundary;
  while (parts.some((p) => p.data.includes(b))) b = newBoundary();
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${b}\r\nContent-Disposition: form-data; name=${quote(p.name)}`;
    if (p.filename !== undefined) head += `; filename=${quote(p.filename)}`;
    head += "\r\n";
    // A type read from a header line holds no line break; one from elsewhere must not inject headers.
    if (p.contentType) head += `Content-Type: ${p.contentType.replace(/[\r\n]/g, "")}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), p.data, CRLF);
  }
  chunks.push(Buffer.from(`--${b}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${b}` };
}

/** A text part's value; MultipartError when it is not UTF-8. */
export function formText(part: FormPart): string {
  try {
    return utf8.decode(part.data);
  } catch {
    throw new MultipartError(`The multipart field '${part.name}' is not valid UTF-8 text.`);
  }
}

/**
 * A file part streamed from where it is spooled (an audio upload on disk), read anew for each attempt.
 * It may still be arriving: `open()` then follows the spool as it grows, and `after()` gives the text
 * fields the client sends behind the file.
 */
export interface StreamedFile {
  name: string;
  filename: string;
  contentType: string | undefined;
  /** Bytes so far: the file's size once `complete`. */
  size: number;
  /** The whole form has arrived (absent: true): its size is final and no field follows. */
  complete?: boolean;
  /** The file's bytes from the start (a new read each call), to its end (waiting for bytes still to come). */
  open(): AsyncIterable<Buffer>;
  /** Text fields sent after the file (an upload still arriving), once the form has been read whole. */
  after?(): Promise<readonly FormPart[]>;
}

const textPart = (b: string, p: FormPart): string =>
  `--${b}\r\nContent-Disposition: form-data; name=${quote(p.name)}\r\n\r\n${p.data.toString("utf8")}\r\n`;

/**
 * Encodes text parts and one file part streamed after them as multipart/form-data: the body is read
 * from `file.open()` as the upstream takes it, never held whole. The boundary is random (96 bits), as
 * the file cannot be searched for it before it is sent. A complete file's length is known up front; a
 * file still arriving is sent chunked, the fields that follow it (`after()`) after it.
 */
export function encodeMultipartStream(
  fields: readonly FormPart[],
  file: StreamedFile,
): { body: Readable; contentType: string; length: number | undefined } {
  const b = newBoundary();
  let text = "";
  for (const p of fields) text += textPart(b, p);
  text += `--${b}\r\nContent-Disposition: form-data; name=${quote(file.name)}; filename=${quote(file.filename)}\r\n`;
  if (file.contentType) text += `Content-Type: ${file.contentType.replace(/[\r\n]/g, "")}\r\n`;
  const head = Buffer.from(`${text}\r\n`);
  const tail = Buffer.from(`\r\n--${b}--\r\n`);
  const arriving = file.complete === false;
  async function* parts(): AsyncGenerator<Buffer> {
    yield head;
    yield* file.open();
    if (arriving && file.after) {
      let late = "\r\n";
      for (const p of await file.after()) late += textPart(b, p);
      yield Buffer.from(late);
      yield tail.subarray(2);
    } else yield tail;
  }
  return {
    body: Readable.from(parts(), { objectMode: false }),
    contentType: `multipart/form-data; boundary=${b}`,
    length: arriving ? undefined : head.length + file.size + tail.length,
  };
}
