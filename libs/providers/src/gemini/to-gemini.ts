import type { ChatCompletionRequest, ChatMessage, ContentPart } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { appendTurn, contentText, parseDataUrl, toolArguments, unhandledFields } from "../openai-request.js";
import type { GeminiContent, GeminiGenerationConfig, GeminiPart, GeminiRequest, GeminiThinkingConfig } from "./api.js";
import { toGeminiFunctionDeclarations, toGeminiToolConfig } from "./to-gemini-tools.js";

/** OpenAI fields this translation reads; any other top-level field is reported as dropped. */
const HANDLED = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "temperature",
  "top_p",
  "top_k",
  "n",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "tools",
  "tool_choice",
  "response_format",
  "reasoning_effort",
]);

/** Values equal to OpenAI's defaults change nothing, so dropping them is not worth a warning. */
const NO_OP: Record<string, (v: unknown) => boolean> = {
  parallel_tool_calls: (v) => v === true,
  logprobs: (v) => v === false,
  store: (v) => v === false,
  service_tier: (v) => v === "auto" || v === "default",
};

/** Gemini 2.x thinking budgets for OpenAI's `reasoning_effort` (0 turns thinking off where allowed). */
const EFFORT_BUDGET: Record<string, number> = { none: 0, minimal: 512, low: 1024, medium: 8192, high: 24576 };
const EFFORT_LEVEL: Record<string, GeminiThinkingConfig["thinkingLevel"]> = {
  none: "minimal",
  minimal: "minimal",
  low: "low",
  medium: "medium",
  high: "high",
};

/**
 * Placeholder Google documents for a function call whose thought signature is unknown (history not
 * produced by Gemini 3): without any signature Gemini 3 answers 400.
 */
export const SKIP_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

export interface ToGeminiResult {
  body: GeminiRequest;
  /** OpenAI fields that could not be carried. */
  dropped: string[];
}

/** OpenAI chat request (defaults already merged) -> Gemini `generateContent` request. */
export function toGeminiRequest(req: ChatCompletionRequest, upstreamModel: string): ToGeminiResult {
  const dropped = unhandledFields(req, HANDLED, NO_OP);
  const { system, contents } = toGeminiContents(req.messages, dropped);
  const body: GeminiRequest = { contents };
  if (system.length > 0) body.systemInstruction = { parts: system };
  if (req.tools && req.tools.length > 0) {
    const declarations = toGeminiFunctionDeclarations(req.tools, dropped);
    if (declarations.length > 0) body.tools = [{ functionDeclarations: declarations }];
    const toolConfig = toGeminiToolConfig(req.tool_choice);
    if (toolConfig && declarations.length > 0) body.toolConfig = toolConfig;
  }
  const config = toGeminiGenerationConfig(req, upstreamModel);
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return { body, dropped };
}

/** Sampling, limits, output format and thinking -> `generationConfig`. */
export function toGeminiGenerationConfig(req: ChatCompletionRequest, upstreamModel: string): GeminiGenerationConfig {
  const r = req as Record<string, unknown>;
  const c: GeminiGenerationConfig = {};
  if (req.temperature != null) c.temperature = req.temperature;
  if (req.top_p != null) c.topP = req.top_p;
  if (typeof r.top_k === "number") c.topK = r.top_k;
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (max != null) c.maxOutputTokens = max;
  if (req.stop != null) c.stopSequences = typeof req.stop === "string" ? [req.stop] : req.stop;
  if (req.n != null && req.n !== 1) c.candidateCount = req.n;
  if (req.seed != null) c.seed = req.seed;
  if (req.presence_penalty) c.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty) c.frequencyPenalty = req.frequency_penalty;
  const format = req.response_format;
  if (format?.type === "json_object") c.responseMimeType = "application/json";
  else if (format?.type === "json_schema") {
    c.responseMimeType = "application/json";
    const schema = (format as { json_schema: { schema?: Record<string, unknown> } }).json_schema.schema;
    // responseJsonSchema takes JSON Schema as is (additionalProperties, $defs...), unlike responseSchema.
    if (schema) c.responseJsonSchema = schema;
  }
  const effort = req.reasoning_effort;
  if (effort) c.thinkingConfig = toGeminiThinkingConfig(effort, upstreamModel);
  return c;
}

/**
 * `reasoning_effort` -> `thinkingConfig`: Gemini 3 models take a `thinkingLevel`, older ones a
 * `thinkingBudget` (a level there is a 400). Thought summaries are asked for so that
 * `reasoning_content` comes back, except for `none`.
 */
export function toGeminiThinkingConfig(effort: string, upstreamModel: string): GeminiThinkingConfig {
  const include = effort === "none" ? undefined : true;
  if (/gemini-[3-9]/.test(upstreamModel)) return { thinkingLevel: EFFORT_LEVEL[effort] ?? "high", includeThoughts: include };
  return { thinkingBudget: EFFORT_BUDGET[effort] ?? EFFORT_BUDGET.high, includeThoughts: include };
}

/** A base64 data URL as Gemini's inline data. */
function inlineData(url: string): { mimeType: string; data: string } | undefined {
  const d = parseDataUrl(url);
  return d ? { mimeType: d.mediaType, data: d.data } : undefined;
}

const EXT_MIME: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
};

/**
 * The MIME type a URL path's extension names, if any (Gemini's `fileData.mimeType` is optional).
 * Scanned by index, not with a backtracking regex: the URL is the client's and may be megabytes long.
 */
export function mimeOfUrl(url: string): string | undefined {
  let end = url.length;
  const q = url.indexOf("?");
  if (q >= 0) end = q;
  const h = url.indexOf("#");
  if (h >= 0 && h < end) end = h;
  const dot = url.lastIndexOf(".", end - 1);
  if (dot < 0 || end - dot - 1 > 8) return undefined; // no extension we know is longer than 8
  const ext = url.slice(dot + 1, end).toLowerCase();
  return Object.hasOwn(EXT_MIME, ext) ? EXT_MIME[ext] : undefined;
}

/**
 * One OpenAI content part -> a Gemini part. Images: a data URL becomes `inlineData`; any other URL
 * becomes `fileData` for Gemini to fetch (Files API URIs, and public URLs where the model supports
 * them): the router never downloads a client's URL itself.
 */
export function toGeminiPart(part: ContentPart, dropped: string[]): GeminiPart | undefined {
  const p = part as Record<string, unknown>;
  if (part.type === "text") return { text: String(p.text) };
  if (part.type === "image_url") {
    const img = p.image_url as { url: string; detail?: string };
    if (img.detail && img.detail !== "auto") dropped.push("image_url.detail");
    const data = inlineData(img.url);
    if (data) return { inlineData: data };
    const mimeType = mimeOfUrl(img.url);
    return { fileData: mimeType ? { mimeType, fileUri: img.url } : { fileUri: img.url } };
  }
  if (part.type === "input_audio") {
    const a = p.input_audio as { data?: string; format?: string } | undefined;
    if (a?.data && a.format) return { inlineData: { mimeType: `audio/${a.format}`, data: a.data } };
  }
  if (part.type === "file") {
    const f = p.file as { file_data?: string } | undefined;
    const data = f?.file_data ? inlineData(f.file_data) : undefined;
    if (data) return { inlineData: data };
  }
  dropped.push(`content.${part.type}`);
  return undefined;
}

function toParts(content: ChatMessage["content"], dropped: string[]): GeminiPart[] {
  if (content == null) return [];
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  const out: GeminiPart[] = [];
  for (const part of content) {
    const g = toGeminiPart(part, dropped);
    if (g) out.push(g);
  }
  return out;
}

/** A tool result as Gemini's `functionResponse.response` object: a JSON object as is, else `{content}`. */
export function toFunctionResponse(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // plain text
  }
  return { content: text };
}

/** The thought signature an OpenAI tool call carries back (`extra_content.google.thought_signature`). */
const signatureOf = (call: unknown): string | undefined => {
  const s = (call as { extra_content?: { google?: { thought_signature?: unknown } } }).extra_content?.google?.thought_signature;
  return typeof s === "string" && s ? s : undefined;
};

/**
 * OpenAI messages -> Gemini `systemInstruction` parts + `contents`. System and developer text goes to
 * `systemInstruction`; assistant turns become `model` turns (tool calls -> `functionCall` parts);
 * tool results become `functionResponse` parts of a `user` turn, named after the call they answer;
 * consecutive turns of the same role merge.
 */
export function toGeminiContents(messages: readonly ChatMessage[], dropped: string[]): { system: GeminiPart[]; contents: GeminiContent[] } {
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  const push = (role: "user" | "model", parts: GeminiPart[]) => appendTurn(contents, role, parts);
  for (const m of messages) {
    const raw = m as Record<string, unknown>;
    if (typeof raw.name === "string" && m.role !== "function") dropped.push("messages.name");
    switch (m.role) {
      case "system":
      case "developer":
        for (const p of toParts(m.content, dropped)) {
          if (p.text !== undefined) system.push(p);
          else dropped.push("messages.system.content");
        }
        break;
      case "user":
        push("user", toParts(m.content, dropped));
        break;
      case "assistant": {
        if (m.reasoning_content) dropped.push("messages.reasoning_content");
        const parts = toParts(m.content, dropped);
        const calls = m.tool_calls ?? [];
        const signed = calls.some((c) => signatureOf(c));
        calls.forEach((c, i) => {
          callNames.set(c.id, c.function.name);
          const part: GeminiPart = { functionCall: { name: c.function.name, args: toolArguments(c.function.arguments, c.function.name) } };
          const signature = signatureOf(c) ?? (!signed && i === 0 ? SKIP_THOUGHT_SIGNATURE : undefined);
          if (signature) part.thoughtSignature = signature;
          parts.push(part);
        });
        push("model", parts);
        break;
      }
      case "tool": {
        const name = callNames.get(m.tool_call_id);
        if (!name) {
          throw new RouterError("invalid_request", `The tool message answers an unknown tool_call_id "${m.tool_call_id}".`, {
            param: "messages",
          });
        }
        push("user", [{ functionResponse: { name, response: toFunctionResponse(contentText(m.content)) } }]);
        break;
      }
      case "function":
        push("user", [{ functionResponse: { name: m.name, response: toFunctionResponse(m.content ?? "") } }]);
        break;
      default:
        dropped.push(`messages.${(m as { role: string }).role}`);
    }
  }
  return { system, contents };
}
