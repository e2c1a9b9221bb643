import { ImageEditRequest, ImageVariationRequest } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { boundaryOf, type FormPart, formText, isMultipartForm, MultipartError, parseMultipart } from "@ai-router/providers";
import { parseJsonObject } from "../../http/read-body.js";
import { validateBody } from "../../http/validation.js";
import { imagesAsked } from "../../limits/reserve.js";

/** Which image endpoint a form is for: edits need a prompt, variations do not. */
export type ImageFormKind = "edits" | "variations";

/** A client's image request as form parts (the upstream wire format), plus what routing needs. */
export interface ImageForm {
  parts: FormPart[];
  model: string | undefined;
  prompt: string | undefined;
  /** Images asked for (`n`, default 1): the key's budget reserves them at the per-image price. */
  n: number;
}

const IMAGE_FIELDS = new Set(["image", "image[]", "mask"]);
// Multipart values are text; these fields are numbers or booleans in OpenAI's schema.
const NUMERIC = new Set(["n", "output_compression", "partial_images"]);

const editForm = ImageEditRequest.omit({ image: true, mask: true });
const variationForm = ImageVariationRequest.omit({ image: true });

/**
 * Reads multipart/form-data (what OpenAI's SDKs send) or JSON (the original product's form, images as
 * base64 or data URLs) into the parts to send upstream. Every problem is a 400 (415 for other types).
 */
export function readImageForm(raw: Buffer, contentType: string | undefined, kind: ImageFormKind): ImageForm {
  if (isMultipartForm(contentType)) return fromMultipart(raw, contentType as string, kind);
  if (contentType === undefined || /^\s*application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType)) {
    return fromJson(parseJsonObject(raw), kind);
  }
  throw new RouterError("unsupported_media_type", "Send the image request as multipart/form-data (as OpenAI's SDKs do) or as JSON.");
}

function fromMultipart(raw: Buffer, contentType: string, kind: ImageFormKind): ImageForm {
  let parts: FormPart[];
  const fields: Record<string, unknown> = {};
  try {
    parts = parseMultipart(raw, boundaryOf(contentType));
    for (const p of parts) {
      if (IMAGE_FIELDS.has(p.name)) {
        if (p.filename === undefined && p.contentType === undefined) {
          throw new RouterError("invalid_request", `'${p.name}' must be a file upload, not a text field.`, { param: p.name });
        }
      } else if (p.filename === undefined && !(p.name in fields)) {
        const text = formText(p);
        fields[p.name] = NUMERIC.has(p.name) && /^-?\d+$/.test(text) ? Number(text) : p.name === "stream" ? text === "true" : text;
      }
    }
  } catch (err) {
    if (err instanceof MultipartError) throw new RouterError("invalid_request", `Malformed multipart/form-data body: ${err.message}`);
    throw err;
  }
  if (!parts.some((p) => p.name === "image" || p.name === "image[]")) {
    throw new RouterError("invalid_request", "Missing required parameter: 'image'.", {
      param: "image",
      publicCode: "missing_required_parameter",
    });
  }
  if (parts.filter((p) => p.name === "mask").length > 1)
    throw new RouterError("invalid_request", "Send at most one 'mask'.", { param: "mask" });
  const body = kind === "edits" ? validateBody(editForm, fields) : validateBody(variationForm, fields);
  return checked(parts, body);
}

function fromJson(json: Record<string, unknown>, kind: ImageFormKind): ImageForm {
  const body = kind === "edits" ? validateBody(ImageEditRequest, json) : validateBody(ImageVariationRequest, json);
  const parts: FormPart[] = [];
  for (const [name, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue; // multipart has no null: the upstream default applies
    if (name === "image") {
      const list = Array.isArray(value) ? (value as string[]) : [value as string];
      list.forEach((s, i) => {
        const several = list.length > 1;
        parts.push(imagePart(several ? "image[]" : "image", several ? `image-${i + 1}` : "image", s, several ? `image[${i}]` : "image"));
      });
    } else if (name === "mask") parts.push(imagePart("mask", "mask", value as string, "mask"));
    else parts.push({ name, data: Buffer.from(String(value)) });
  }
  return checked(parts, body);
}

function checked(
  parts: FormPart[],
  body: { model?: string | undefined; prompt?: unknown; n?: number | null | undefined; stream?: unknown },
): ImageForm {
  const form: ImageForm = {
    parts,
    model: body.model,
    prompt: typeof body.prompt === "string" ? body.prompt : undefined,
    n: imagesAsked(body.n),
  };
  if (body.stream === true) {
    throw new RouterError("invalid_request", "Streaming image edits are not supported by the router; omit 'stream'.", { param: "stream" });
  }
  return form;
}

function imagePart(name: string, base: string, value: string, param: string): FormPart {
  const data = decodeImage(value, param);
  const kind = sniffImage(data);
  if (!kind) throw new RouterError("invalid_request", `'${param}' is not a PNG, JPEG or WebP image.`, { param });
  return { name, filename: `${base}.${kind.ext}`, contentType: kind.type, data };
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Base64 or a base64 `data:` URL -> bytes. URLs are refused: the router never fetches anything for a client. */
export function decodeImage(value: string, param: string): Buffer {
  const fail = (why: string) => new RouterError("invalid_request", `'${param}' ${why}`, { param });
  if (/^\s*https?:\/\//i.test(value)) {
    throw fail("is a URL; the router does not fetch URLs. Send the image as base64 or as a data URL (data:image/png;base64,...).");
  }
  let b64 = value;
  if (/^\s*data:/i.test(value)) {
    const m = /^\s*data:[^,]*;base64,(.*)$/is.exec(value);
    if (!m) throw fail("is a data URL that is not base64-encoded (expected data:image/png;base64,...).");
    b64 = m[1] as string;
  }
  b64 = b64.replace(/\s+/g, "");
  if (!BASE64.test(b64) || b64.replace(/=+$/, "").length % 4 === 1) {
    throw fail("must be a base64-encoded image or a data URL (data:image/png;base64,...).");
  }
  return Buffer.from(b64, "base64");
}

/** PNG, JPEG and WebP by their magic numbers. */
export function sniffImage(b: Buffer): { ext: string; type: string } | undefined {
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return { ext: "png", type: "image/png" };
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { ext: "jpg", type: "image/jpeg" };
  if (b.length >= 12 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP")
    return { ext: "webp", type: "image/webp" };
  return undefined;
}
