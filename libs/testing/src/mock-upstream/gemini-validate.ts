/** What Gemini refuses in a `generateContent` body, as Gemini words it (the mock answers 400 with it). */

export type Json = Record<string, unknown>;
export interface Part {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { name: string; args?: Json };
  functionResponse?: { name: string; response: Json };
  [k: string]: unknown;
}
export interface Content {
  role?: string;
  parts?: Part[];
}
export interface Declaration {
  name: string;
  parameters?: Json;
}
export interface GeminiBody {
  contents?: Content[];
  systemInstruction?: Content;
  tools?: { functionDeclarations?: Declaration[] }[];
  toolConfig?: { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } };
  generationConfig?: {
    maxOutputTokens?: number;
    candidateCount?: number;
    responseMimeType?: string;
    thinkingConfig?: { includeThoughts?: boolean; thinkingBudget?: number; thinkingLevel?: string };
    [k: string]: unknown;
  };
}

export const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const fields = (...names: string[]) => new Set(names.flatMap((n) => [n, snake(n)]));
const REQUEST_FIELDS = fields(
  "contents",
  "systemInstruction",
  "tools",
  "toolConfig",
  "generationConfig",
  "safetySettings",
  "cachedContent",
);
const DATA_FIELDS = ["text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult"];
const PART_FIELDS = fields(...DATA_FIELDS, "thought", "thoughtSignature", "videoMetadata", "mediaResolution");
const CONFIG_FIELDS = fields(
  "temperature",
  "topP",
  "topK",
  "maxOutputTokens",
  "stopSequences",
  "candidateCount",
  "seed",
  "presencePenalty",
  "frequencyPenalty",
  "responseMimeType",
  "responseSchema",
  "responseJsonSchema",
  "responseModalities",
  "responseLogprobs",
  "logprobs",
  "thinkingConfig",
  "mediaResolution",
  "speechConfig",
);
const SCHEMA_FIELDS = fields(
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "properties",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "example",
  "anyOf",
  "propertyOrdering",
  "default",
  "items",
  "minimum",
  "maximum",
);
const DUMMY_SIGNATURES = new Set(["skip_thought_signature_validator", "context_engineering_is_the_way_to_go"]);

export const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const unknownName = (obj: Json, allowed: Set<string>, at?: string): string | undefined => {
  const bad = Object.keys(obj).find((k) => !allowed.has(k));
  return bad ? `Invalid JSON payload received. Unknown name "${bad}"${at ? ` at '${at}'` : ""}: Cannot find field.` : undefined;
};
const fieldError = (path: string, msg: string) => `* GenerateContentRequest.${path}: ${msg}\n`;

function validateSchema(s: unknown, at: string): string | undefined {
  if (!isObj(s)) return undefined;
  const bad = unknownName(s, SCHEMA_FIELDS, at);
  if (bad) return bad;
  if (String(s.type).toUpperCase() === "OBJECT" && isObj(s.properties) && Object.keys(s.properties).length === 0) {
    return fieldError(`${at}.properties`, "should be non-empty for OBJECT type");
  }
  for (const [k, v] of Object.entries(isObj(s.properties) ? s.properties : {})) {
    const e = validateSchema(v, `${at}.properties[${k}].value`);
    if (e) return e;
  }
  return validateSchema(s.items, `${at}.items`);
}

/** The checks Gemini makes before generating; returns the 400 message, or undefined when valid. */
export function validateGemini(body: GeminiBody, model: string): string | undefined {
  if (!isObj(body as unknown)) return "Invalid JSON payload received. Expected an object.";
  const unknown = unknownName(body as Json, REQUEST_FIELDS);
  if (unknown) return unknown;
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) return fieldError("contents", "contents is not specified");
  for (let i = 0; i < contents.length; i++) {
    const c = contents[i] as Content;
    if (c.role !== undefined && c.role !== "user" && c.role !== "model") return "Please use a valid role: user, model.";
    if (!Array.isArray(c.parts) || c.parts.length === 0) return fieldError(`contents[${i}].parts`, "contents.parts must not be empty.");
    for (let j = 0; j < c.parts.length; j++) {
      const p = c.parts[j] as Part;
      const at = `contents[${i}].parts[${j}]`;
      const bad = unknownName(p, PART_FIELDS, at);
      if (bad) return bad;
      const data = DATA_FIELDS.filter((f) => p[f] !== undefined || p[snake(f)] !== undefined);
      if (data.length === 0) return fieldError(`${at}.data`, "required oneof field 'data' must have one initialized field");
      if (data.length > 1) return fieldError(`${at}.data`, "oneof field 'data' is already set. Cannot set '" + data[1] + "'");
      if (p.functionCall && (!p.functionCall.name || (p.functionCall.args !== undefined && !isObj(p.functionCall.args)))) {
        return fieldError(`${at}.function_call`, "name and an args object are required");
      }
      if (p.functionResponse && (!p.functionResponse.name || !isObj(p.functionResponse.response))) {
        return `Invalid value at '${at}.function_response.response' (type.googleapis.com/google.protobuf.Struct)`;
      }
    }
    const calls = c.parts.filter((p) => p.functionCall);
    if (c.role === "model" && calls.length > 0) {
      const prev = contents[i - 1];
      if (!prev || prev.role === "model") {
        return "Please ensure that function call turn comes immediately after a user turn or after a function response turn.";
      }
      const next = contents[i + 1];
      const answered = next?.parts?.filter((p) => p.functionResponse).length ?? 0;
      if (next && answered !== calls.length) {
        return "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.";
      }
      const signature = calls[0]?.thoughtSignature;
      if (/gemini-[3-9]/.test(model) && !(signature && (signature.startsWith("sig_") || DUMMY_SIGNATURES.has(signature)))) {
        return `Function call \`${calls[0]?.functionCall?.name}\` in the \`${i}.\` content block is missing a \`thought_signature\`.`;
      }
    }
  }
  const declared = new Set<string>();
  for (const [i, t] of (body.tools ?? []).entries()) {
    for (const [j, d] of (t.functionDeclarations ?? []).entries()) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/.test(String(d.name))) {
        return fieldError(`tools[${i}].function_declarations[${j}].name`, "Invalid function name.");
      }
      declared.add(d.name);
      const e = validateSchema(d.parameters, `tools[${i}].function_declarations[${j}].parameters`);
      if (e) return e;
    }
  }
  const fcc = body.toolConfig?.functionCallingConfig;
  if (fcc) {
    if (fcc.mode !== undefined && !["AUTO", "ANY", "NONE", "VALIDATED", "MODE_UNSPECIFIED"].includes(fcc.mode)) {
      return `Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), "${fcc.mode}"`;
    }
    if (fcc.allowedFunctionNames?.length && fcc.mode !== "ANY" && fcc.mode !== "VALIDATED") {
      return fieldError("tool_config.function_calling_config.allowed_function_names", "only allowed when mode is ANY.");
    }
    const missing = fcc.allowedFunctionNames?.find((n) => !declared.has(n));
    if (missing) return fieldError("tool_config.function_calling_config.allowed_function_names", `function ${missing} is not declared.`);
  }
  const g = body.generationConfig;
  if (g) {
    const bad = unknownName(g as Json, CONFIG_FIELDS, "generation_config");
    if (bad) return bad;
    if (Array.isArray(g.stopSequences) && g.stopSequences.length > 5)
      return fieldError("generation_config.stop_sequences", "at most 5 allowed.");
    if (g.responseSchema !== undefined && g.responseJsonSchema !== undefined) {
      return fieldError("generation_config.response_json_schema", "responseJsonSchema and responseSchema cannot both be set.");
    }
    if ((g.responseSchema !== undefined || g.responseJsonSchema !== undefined) && g.responseMimeType !== "application/json") {
      return fieldError("generation_config.response_mime_type", "a response schema requires response_mime_type application/json.");
    }
    const th = g.thinkingConfig;
    if (th?.thinkingBudget !== undefined && th.thinkingLevel !== undefined) {
      return "You can only set only one of thinking budget and thinking level.";
    }
    if (th?.thinkingLevel !== undefined && !/gemini-[3-9]/.test(model)) return "Thinking level is not supported for this model.";
  }
  return undefined;
}

// ---- answers ----------------------------------------------------------------------------------
