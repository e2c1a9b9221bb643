import type { OpenAIUsage } from "@ai-router/contracts";
import type { MultipartEndpoint, TargetContext } from "../adapter.js";
import { encodeMultipart, type FormPart } from "../multipart.js";
import { openAIHeaders } from "./api.js";
import { extractUsage } from "./usage.js";

/**
 * Usage of an images response. gpt-image models count `input_tokens` / `output_tokens`; they are
 * mapped onto prompt/completion so cost tracking sees them.
 */
export function imageUsage(body: Buffer): OpenAIUsage | undefined {
  const u = extractUsage(body);
  if (!u) return undefined;
  const o = u as OpenAIUsage & { input_tokens?: unknown; output_tokens?: unknown };
  const input = typeof o.input_tokens === "number" ? o.input_tokens : 0;
  const output = typeof o.output_tokens === "number" ? o.output_tokens : 0;
  if (u.prompt_tokens === 0 && u.completion_tokens === 0 && input + output > 0) {
    return Object.assign({}, u, { prompt_tokens: input, completion_tokens: output, total_tokens: u.total_tokens || input + output });
  }
  return u;
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
