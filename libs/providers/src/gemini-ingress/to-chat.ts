import type { ChatCompletionRequest, ChatMessage } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { GeminiContent, GeminiPart } from "../gemini/api.js";

type Json = Record<string, unknown>;
type ChatTool = NonNullable<ChatCompletionRequest["tools"]>[number];

/** Gemini `generateContent` request as the front door reads it (REST names; the SDK's `config` is already spread). */
export interface GeminiIngressRequest {
  contents?: GeminiContent[] | GeminiContent;
  systemInstruction?: { parts?: GeminiPart[] } | string;
  tools?: Json[];
  toolConfig?: { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } };
  generationConfig?: Json;
  safetySettings?: unknown;
  cachedContent?: unknown;
  [k: string]: unknown;
}

const HANDLED = new Set(["contents", "systemInstruction", "tools", "toolConfig", "generationConfig", "safetySettings", "model", "labels"]);
const GEN_HANDLED = new Set([
  "temperature",
  "topP",
  "maxOutputTokens",
  "stopSequences",
  "candidateCount",
  "seed",
  "presencePenalty",
  "frequencyPenalty",
  "responseMimeType",
  "responseSchema",
  "responseJsonSchema",
  "thinkingConfig",
  "responseModalities",
]);

/** Gemini's OpenAPI-style schema (`type: "OBJECT"`) -> JSON Schema (`type: "object"`). */
export function fromGeminiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(fromGeminiSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) {
    if (k === "type" && typeof v === "string") out.type = v.toLowerCase();
    else if (k === "nullable") continue;
    else if (k === "properties" && v && typeof v === "object") {
      const props: Json = {};
      for (const [pk, pv] of Object.entries(v as Json)) props[pk] = fromGeminiSchema(pv);
      out.properties = props;
    } else if (k === "propertyOrdering") continue;
    else out[k] = fromGeminiSchema(v);
  }
  if ((schema as Json).nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  return out;
}

/** Thinking budget or level -> OpenAI `reasoning_effort`. */
export function effortOf(thinking: Json | undefined): string | undefined {
  if (!thinking) return undefined;
  const level = thinking.thinkingLevel;
  if (typeof level === "string") return level.toLowerCase();
  const budget = thinking.thinkingBudget;
  if (typeof budget !== "number") return undefined;
  if (budget === 0) return "none";
  if (budget < 0) return "medium";
  return budget <= 1024 ? "low" : budget <= 8192 ? "medium" : "high";
}

/** A Gemini part of a user turn -> a chat content part (or undefined when it is not content). */
function toChatPart(p: GeminiPart, dropped: string[]): Json | undefined {
  if (typeof p.text === "string") return p.thought ? undefined : { type: "text", text: p.text };
  if (p.inlineData) {
    const url = `data:${p.inlineData.mimeType};base64,${p.inlineData.data}`;
    if (p.inlineData.mimeType.startsWith("image/")) return { type: "image_url", image_url: { url } };
    return { type: "file", file: { file_data: url } };
  }
  if (p.fileData) {
    if ((p.fileData.mimeType ?? "").startsWith("image/") || /^https?:/.test(p.fileData.fileUri)) {
      return { type: "image_url", image_url: { url: p.fileData.fileUri } };
    }
    dropped.push("contents.parts.fileData");
    return undefined;
  }
  for (const k of Object.keys(p))
    if (k !== "thoughtSignature" && k !== "thought" && k !== "functionCall" && k !== "functionResponse")
      dropped.push(`contents.parts.${k}`);
  return undefined;
}

const textOnly = (parts: Json[]): string | Json[] =>
  parts.every((p) => p.type === "text") ? parts.map((p) => String(p.text)).join("") : parts;

/**
 * Gemini request -> OpenAI chat request (the internal form). Function calls get ids (Gemini's own when
 * it gave one, else `call_{n}`), and each `functionResponse` answers the oldest open call of its name.
 */
export function geminiToChat(r: GeminiIngressRequest, model: string, stream: boolean): { req: ChatCompletionRequest; dropped: string[] } {
  const dropped: string[] = [];
  for (const k of Object.keys(r)) if (!HANDLED.has(k) && r[k] != null) dropped.push(k);
  const messages: ChatMessage[] = [];
  const sys = r.systemInstruction;
  const sysText = typeof sys === "string" ? sys : (sys?.parts ?? []).map((p) => p.text ?? "").join("");
  if (sysText) messages.push({ role: "system", content: sysText });
  const contents = Array.isArray(r.contents) ? r.contents : r.contents ? [r.contents] : [];
  const open: { id: string; name: string }[] = [];
  let n = 0;
  for (const c of contents) {
    const parts = c.parts ?? [];
    if (c.role === "model") {
      let text = "";
      const calls: Json[] = [];
      for (const p of parts) {
        if (p.functionCall) {
          const id = p.functionCall.id ?? `call_${n++}`;
          open.push({ id, name: p.functionCall.name });
          const call: Json = {
            id,
            type: "function",
            function: { name: p.functionCall.name, arguments: JSON.stringify(p.functionCall.args ?? {}) },
          };
          if (p.thoughtSignature) call.extra_content = { google: { thought_signature: p.thoughtSignature } };
          calls.push(call);
        } else if (typeof p.text === "string" && !p.thought) text += p.text;
      }
      const m: Json = { role: "assistant", content: text || null };
      if (calls.length > 0) m.tool_calls = calls;
      messages.push(m as ChatMessage);
      continue;
    }
    const content: Json[] = [];
    for (const p of parts) {
      if (p.functionResponse) {
        const fr = p.functionResponse;
        const i = fr.id ? open.findIndex((o) => o.id === fr.id) : open.findIndex((o) => o.name === fr.name);
        const id = i >= 0 ? (open.splice(i, 1)[0] as { id: string }).id : (fr.id ?? `call_${n++}`);
        messages.push({ role: "tool", tool_call_id: id, content: JSON.stringify(fr.response ?? {}) });
      } else {
        const part = toChatPart(p, dropped);
        if (part) content.push(part);
      }
    }
    if (content.length > 0) messages.push({ role: "user", content: textOnly(content) as string });
  }
  if (messages.length === 0 || messages.every((m) => m.role === "system")) {
    throw new RouterError("invalid_request", "* GenerateContentRequest.contents: contents is not specified", { param: "contents" });
  }

  const req: ChatCompletionRequest = { model, messages };
  const tools: ChatTool[] = [];
  for (const t of r.tools ?? []) {
    const decls = (t.functionDeclarations ?? t.function_declarations) as Json[] | undefined;
    if (!decls) {
      for (const k of Object.keys(t)) dropped.push(`tools.${k}`);
      continue;
    }
    for (const d of decls) {
      const f: Json = { name: String(d.name) };
      if (typeof d.description === "string") f.description = d.description;
      const params = d.parametersJsonSchema ?? (d.parameters ? fromGeminiSchema(d.parameters) : undefined);
      f.parameters = params ?? { type: "object", properties: {} };
      tools.push({ type: "function", function: f as { name: string } });
    }
  }
  if (tools.length > 0) {
    req.tools = tools;
    const fc = r.toolConfig?.functionCallingConfig;
    const mode = fc?.mode?.toUpperCase();
    if (mode === "NONE") req.tool_choice = "none";
    else if (mode === "ANY") {
      const allowed = fc?.allowedFunctionNames ?? [];
      req.tool_choice = allowed.length === 1 ? { type: "function", function: { name: allowed[0] as string } } : "required";
      if (allowed.length > 1) dropped.push("toolConfig.functionCallingConfig.allowedFunctionNames");
    } else if (mode === "AUTO") req.tool_choice = "auto";
  }

  const g = r.generationConfig ?? {};
  for (const k of Object.keys(g)) if (!GEN_HANDLED.has(k) && g[k] != null) dropped.push(`generationConfig.${k}`);
  if (typeof g.temperature === "number") req.temperature = Math.min(2, g.temperature);
  if (typeof g.topP === "number") req.top_p = g.topP;
  if (typeof g.maxOutputTokens === "number") req.max_tokens = g.maxOutputTokens;
  if (Array.isArray(g.stopSequences) && g.stopSequences.length > 0) req.stop = (g.stopSequences as string[]).slice(0, 4);
  if (typeof g.seed === "number") req.seed = g.seed;
  if (typeof g.presencePenalty === "number") req.presence_penalty = g.presencePenalty;
  if (typeof g.frequencyPenalty === "number") req.frequency_penalty = g.frequencyPenalty;
  if (typeof g.candidateCount === "number" && g.candidateCount > 1) dropped.push("generationConfig.candidateCount");
  const schema = g.responseJsonSchema ?? (g.responseSchema ? fromGeminiSchema(g.responseSchema) : undefined);
  if (schema) req.response_format = { type: "json_schema", json_schema: { name: "response", schema: schema as Json } };
  else if (g.responseMimeType === "application/json") req.response_format = { type: "json_object" };
  const effort = effortOf(g.thinkingConfig as Json | undefined);
  if (effort) req.reasoning_effort = effort;
  if (stream) {
    req.stream = true;
    req.stream_options = { include_usage: true };
  }
  return { req, dropped: [...new Set(dropped)] };
}
