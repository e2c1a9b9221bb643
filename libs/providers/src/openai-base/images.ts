import type { OpenAIUsage } from "@ai-router/contracts";
import type { MultipartEndpoint, TargetContext } from "../adapter.js";
import { encodeMultipart, type FormPart } from "../multipart.js";
import { openAIHeaders } from "./api.js";
import { extractUsage } from "./usage.js";

const IMAGE_KEYS = [Buffer.from('"url"'), Buffer.from('"b64_json"')];

/**
 * Images in an images response, counted by their `url` / `b64_json` keys without parsing the body
 * (base64 images are large); a key quoted inside a string is escaped (`\"url\"`) and not counted.
 */
export function countImages(body: Buffer): number {
  let n = 0;
  for (const key of IMAGE_KEYS) {
    for (let at = body.indexOf(key); at >= 0; at = body.indexOf(key, at + key.length)) if (body[at - 1] !== 0x5c) n++;
  }
  return n;
}

/**
 * Usage of an images response. gpt-image models count `input_tokens` / `output_tokens`; they are
 * mapped onto prompt/completion so cost tracking sees them. Every answer also says how many images it
 * holds (`images`), for models priced per image (dall-e).
 */
export function imageUsage(body: Buffer): OpenAIUsage | undefined {
  const images = countImages(body);
  const u = extractUsage(body);
  if (!u) return images > 0 ? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, images } : undefined;
  const o = u as OpenAIUsage & { input_tokens?: unknown; output_tokens?: unknown };
  const input = typeof o.input_tokens === "number" ? o.input_tokens : 0;
  const output = typeof o.output_tokens === "number" ? o.output_tokens : 0;
  if (u.prompt_tokens === 0 && u.completion_tokens === 0 && input + output > 0) {
    return Object.assign({}, u, {
      prompt_tokens: input,
      completion_tokens: output,
      total_tokens: u.total_tokens || input + output,
      images,
    });
  }
  return Object.assign({}, u, { images });
}

/** The client's form with `model` set to the upstream id and the target's defaults added where absent. */
export function toUpstreamForm(parts: readonly FormPart[], target: TargetContext): FormPart[] {
  const out: FormPart[] = [];
  let sawModel = false;
  for (const p of parts) {
    if (p.name !== "model") out.push(p);
    else if (!sawModel) {
      sawModel = true;
      out.push({ name: "model", data: Buffer.from(target.upstreamModel) });
    }
  }
  if (!sawModel) out.push({ name: "model", data: Buffer.from(target.upstreamModel) });
  const present = new Set(parts.map((p) => p.name));
  for (const [k, v] of Object.entries(target.params)) {
    if (present.has(k) || k === "model") continue;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out.push({ name: k, data: Buffer.from(String(v)) });
  }
  return out;
}

/** An OpenAI-style multipart endpoint (`/images/edits`, `/images/variations`). */
export const multipartEndpoint = (path: string): MultipartEndpoint => ({
  build(parts, target) {
    const { body, contentType } = encodeMultipart(toUpstreamForm(parts, target));
    return { method: "POST", path, headers: Object.assign(openAIHeaders(target), { "content-type": contentType }), body };
  },
  usage: imageUsage,
});
