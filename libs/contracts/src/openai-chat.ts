import { z } from "zod";

/**
 * OpenAI `POST /v1/chat/completions` request, as far as the router must understand it.
 * Known fields are type-checked; unknown top-level fields pass through (providers add fields often).
 */
export const TextPart = z.object({ type: z.literal("text"), text: z.string() }).loose();
export const ImageUrlPart = z
  .object({
    type: z.literal("image_url"),
    image_url: z.object({ url: z.string().min(1), detail: z.enum(["auto", "low", "high"]).optional() }).loose(),
  })
  .loose();
/** Other part kinds (input_audio, file, refusal...) are passed through untouched. */
export const OtherPart = z.object({ type: z.string().min(1) }).loose();
export type ContentPart = z.infer<typeof TextPart> | z.infer<typeof ImageUrlPart> | z.infer<typeof OtherPart>;
/** The kinds the translations read, each checked by its schema (a `text` part without text is a 400, not a crash). */
const TYPED_PARTS: Record<string, z.ZodType> = { text: TextPart, image_url: ImageUrlPart };
/**
 * A content part: its kind's schema when the router reads that kind, else any object with a type. Not a
 * union, whose error would name the wrong branch (`type`) for an `image_url` part without its URL.
 */
export const ContentPart = OtherPart.superRefine((part, ctx) => {
  const schema = TYPED_PARTS[part.type];
  const r = schema?.safeParse(part);
  if (r && !r.success) for (const issue of r.error.issues) ctx.addIssue({ ...issue } as never);
}) as unknown as z.ZodType<ContentPart>;

export const ToolCall = z
  .object({
    id: z.string(),
    type: z.literal("function"),
    function: z.object({ name: z.string(), arguments: z.string() }).loose(),
  })
  .loose();
export type ToolCall = z.infer<typeof ToolCall>;

const content = z.union([z.string(), z.array(ContentPart)]);

export const ChatMessage = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content, name: z.string().optional() }).loose(),
  z.object({ role: z.literal("developer"), content, name: z.string().optional() }).loose(),
  z.object({ role: z.literal("user"), content, name: z.string().optional() }).loose(),
  z
    .object({
      role: z.literal("assistant"),
      content: content.nullable().optional(),
      name: z.string().optional(),
      tool_calls: z.array(ToolCall).optional(),
      reasoning_content: z.string().optional(),
    })
    .loose(),
  z.object({ role: z.literal("tool"), content, tool_call_id: z.string() }).loose(),
  z.object({ role: z.literal("function"), content: z.string().nullable(), name: z.string() }).loose(),
]);
export type ChatMessage = z.infer<typeof ChatMessage>;

export const FunctionTool = z
  .object({
    type: z.literal("function"),
    function: z
      .object({
        name: z.string().min(1),
        description: z.string().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullable().optional(),
      })
      .loose(),
  })
  .loose();
export type FunctionTool = z.infer<typeof FunctionTool>;

export const ToolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }).loose() }).loose(),
]);
export type ToolChoice = z.infer<typeof ToolChoice>;

export const ResponseFormat = z.union([
  z.object({ type: z.literal("text") }).loose(),
  z.object({ type: z.literal("json_object") }).loose(),
  z
    .object({
      type: z.literal("json_schema"),
      json_schema: z
        .object({ name: z.string(), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullable().optional() })
        .loose(),
    })
    .loose(),
]);

export const ChatCompletionRequest = z
  .object({
    model: z.string().min(1),
    messages: z.array(ChatMessage).min(1),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    n: z.number().int().min(1).max(128).nullable().optional(),
    max_tokens: z.number().int().positive().nullable().optional(),
    max_completion_tokens: z.number().int().positive().nullable().optional(),
    stop: z
      .union([z.string(), z.array(z.string()).max(4)])
      .nullable()
      .optional(),
    presence_penalty: z.number().min(-2).max(2).nullable().optional(),
    frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
    logit_bias: z.record(z.string(), z.number()).nullable().optional(),
    user: z.string().optional(),
    seed: z.number().int().nullable().optional(),
    tools: z.array(FunctionTool).optional(),
    tool_choice: ToolChoice.optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: ResponseFormat.optional(),
    reasoning_effort: z.string().nullable().optional(),
  })
  .loose();
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

/** OpenAI usage block (what we record and return). */
export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [k: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [k: string]: unknown };
  /** Images an image endpoint returned (accounting only: priced by `per_image`). */
  images?: number;
  /** Seconds of audio transcribed or translated (priced by `per_audio_minute`). */
  audio_seconds?: number;
  /** Input characters spoken (priced by `per_mchar`). */
  characters?: number;
  /** Searches (rerank queries, priced by `per_search`). */
  searches?: number;
  /** Audio input tokens among `prompt_tokens` (priced by `input_audio_per_mtok`). */
  input_audio_tokens?: number;
  /** Cached audio input tokens among the cached tokens (priced by `cached_input_audio_per_mtok`). */
  cached_input_audio_tokens?: number;
  /** Audio output tokens among `completion_tokens` (priced by `output_audio_per_mtok`). */
  output_audio_tokens?: number;
}

export const EmbeddingsRequest = z
  .object({
    model: z.string().min(1),
    input: z.union([
      z.string(),
      z.array(z.string()).min(1),
      z.array(z.number().int()).min(1),
      z.array(z.array(z.number().int()).min(1)).min(1),
    ]),
    encoding_format: z.enum(["float", "base64"]).optional(),
    dimensions: z.number().int().positive().optional(),
    user: z.string().optional(),
  })
  .loose();
export type EmbeddingsRequest = z.infer<typeof EmbeddingsRequest>;

export const ImageGenerationRequest = z
  .object({
    model: z.string().min(1).optional(),
    prompt: z.string().min(1),
    n: z.number().int().min(1).max(10).nullable().optional(),
    size: z.string().nullable().optional(),
    quality: z.string().nullable().optional(),
    style: z.string().nullable().optional(),
    response_format: z.enum(["url", "b64_json"]).nullable().optional(),
    user: z.string().optional(),
  })
  .loose();
export type ImageGenerationRequest = z.infer<typeof ImageGenerationRequest>;

/** Fields OpenAI's image endpoints share; unknown extra fields must be scalars (they become form fields). */
const imageOptions = {
  model: z.string().min(1).optional(),
  n: z.number().int().min(1).max(10).nullable().optional(),
  size: z.string().nullable().optional(),
  response_format: z.enum(["url", "b64_json"]).nullable().optional(),
  user: z.string().optional(),
};
const formScalar = z.union([z.string(), z.number(), z.boolean()]);
/** An image in a JSON body: base64 or a `data:` URL (the router never fetches http URLs). */
const jsonImage = z.string().min(1);

/**
 * `POST /v1/images/edits` as JSON (the original product's form). OpenAI takes multipart; the router
 * converts. The multipart form is validated with the same schema minus `image` / `mask`.
 */
export const ImageEditRequest = z
  .object({
    ...imageOptions,
    image: z.union([jsonImage, z.array(jsonImage).min(1).max(16)]),
    mask: jsonImage.optional(),
    prompt: z.string().min(1),
    quality: z.string().nullable().optional(),
    background: z.string().nullable().optional(),
    output_format: z.string().nullable().optional(),
    output_compression: z.number().int().min(0).max(100).nullable().optional(),
    input_fidelity: z.string().nullable().optional(),
    stream: z.boolean().nullable().optional(),
  })
  .catchall(formScalar);
export type ImageEditRequest = z.infer<typeof ImageEditRequest>;

/** `POST /v1/images/variations` as JSON: like edits, without a prompt. */
export const ImageVariationRequest = z.object({ ...imageOptions, image: jsonImage }).catchall(formScalar);
export type ImageVariationRequest = z.infer<typeof ImageVariationRequest>;
