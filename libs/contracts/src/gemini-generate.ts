import { z } from "zod";

/**
 * Gemini `generateContent` / `streamGenerateContent` / `countTokens` requests at the front door, as far
 * as the router must understand them. Every field the router reads is type-checked (a wrong shape is a
 * 400 naming it, never a crash in the translation); unknown fields pass through loosely, since Gemini
 * adds fields faster than any schema follows. `null` is accepted where a field is optional (proto3 JSON
 * reads it as unset).
 */
const opt = <T extends z.ZodType>(t: T) => t.nullable().optional();

const GeminiBlob = z.looseObject({ mimeType: z.string(), data: z.string() });
const GeminiFileData = z.looseObject({ mimeType: opt(z.string()), fileUri: z.string() });
const GeminiFunctionCall = z.looseObject({
  name: z.string().min(1),
  args: opt(z.record(z.string(), z.unknown())),
  id: opt(z.string()),
});
const GeminiFunctionResponse = z.looseObject({
  name: z.string(),
  response: opt(z.record(z.string(), z.unknown())),
  id: opt(z.string()),
});

export const GeminiPartRequest = z.looseObject({
  text: opt(z.string()),
  inlineData: opt(GeminiBlob),
  fileData: opt(GeminiFileData),
  functionCall: opt(GeminiFunctionCall),
  functionResponse: opt(GeminiFunctionResponse),
  thought: opt(z.boolean()),
  thoughtSignature: opt(z.string()),
});

export const GeminiContentRequest = z.looseObject({
  role: opt(z.string()),
  parts: opt(z.array(GeminiPartRequest)),
});

const GeminiFunctionDeclaration = z.looseObject({
  name: z.string().min(1),
  description: opt(z.string()),
  parameters: opt(z.looseObject({})),
  parametersJsonSchema: opt(z.union([z.looseObject({}), z.boolean()])),
});
const declarations = opt(z.array(GeminiFunctionDeclaration));

const num = opt(z.number());
const int = opt(z.number().int());

const generateFields = {
  /** One content, or the conversation's contents in order (`user` / `model`). */
  contents: opt(z.union([z.array(GeminiContentRequest), GeminiContentRequest])),
  systemInstruction: opt(z.union([z.string(), z.looseObject({ role: opt(z.string()), parts: opt(z.array(GeminiPartRequest)) })])),
  tools: opt(z.array(z.looseObject({ functionDeclarations: declarations, function_declarations: declarations }))),
  toolConfig: opt(
    z.looseObject({
      functionCallingConfig: opt(z.looseObject({ mode: opt(z.string()), allowedFunctionNames: opt(z.array(z.string())) })),
    }),
  ),
  generationConfig: opt(
    z.looseObject({
      temperature: num,
      topP: num,
      topK: num,
      maxOutputTokens: int,
      stopSequences: opt(z.array(z.string())),
      seed: int,
      presencePenalty: num,
      frequencyPenalty: num,
      candidateCount: int,
      responseMimeType: opt(z.string()),
      responseSchema: opt(z.looseObject({})),
      responseJsonSchema: opt(z.union([z.looseObject({}), z.boolean()])),
      thinkingConfig: opt(z.looseObject({ thinkingBudget: num, thinkingLevel: opt(z.string()), includeThoughts: opt(z.boolean()) })),
    }),
  ),
};

/** `POST /v1beta/models/{model}:generateContent` (and `:streamGenerateContent`). */
export const GeminiGenerateRequest = z.looseObject(generateFields);
export type GeminiGenerateRequest = z.infer<typeof GeminiGenerateRequest>;

/** `:countTokens`: the same fields, or a whole request in `generateContentRequest`. */
export const GeminiCountTokensRequest = z.looseObject({ ...generateFields, generateContentRequest: opt(GeminiGenerateRequest) });
export type GeminiCountTokensRequest = z.infer<typeof GeminiCountTokensRequest>;
