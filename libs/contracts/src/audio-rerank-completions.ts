import { z } from "zod";

/**
 * Request bodies of the endpoints besides chat, embeddings and images: legacy completions (with FIM
 * `suffix`), moderations, rerank (Jina's and Cohere's shape), speech, and the fields of a transcription
 * or translation form (OpenAI's multipart format).
 */

const tokenList = z.array(z.number().int().nonnegative()).min(1);

/** `POST /v1/completions`: OpenAI's legacy text completions; `suffix` asks for fill-in-the-middle. */
export const CompletionRequest = z
  .object({
    model: z.string().min(1),
    prompt: z.union([z.string(), z.array(z.string()).min(1), tokenList, z.array(tokenList).min(1)]),
    suffix: z.string().nullable().optional(),
    max_tokens: z.number().int().nonnegative().nullable().optional(),
    stream: z.boolean().nullable().optional(),
    n: z.number().int().min(1).max(128).nullable().optional(),
  })
  .loose();
export type CompletionRequest = z.infer<typeof CompletionRequest>;

const moderationPart = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), text: z.string() }).loose(),
  z.object({ type: z.literal("image_url"), image_url: z.object({ url: z.string().min(1) }).loose() }).loose(),
]);

/** `POST /v1/moderations`: text, several texts, or text and image parts (omni-moderation). */
export const ModerationRequest = z
  .object({
    model: z.string().min(1).optional(),
    input: z.union([z.string(), z.array(z.string()).min(1), z.array(moderationPart).min(1)]),
  })
  .loose();
export type ModerationRequest = z.infer<typeof ModerationRequest>;

/** Most documents one rerank request may carry. */
export const RERANK_MAX_DOCUMENTS = 1000;

/** `POST /v1/rerank` and `/v2/rerank`: Jina's and Cohere's request shape. */
export const RerankRequest = z
  .object({
    model: z.string().min(1),
    query: z.string().trim().min(1, "query must not be empty"),
    documents: z
      .array(z.union([z.string(), z.object({ text: z.string() }).loose()]))
      .min(1)
      .max(RERANK_MAX_DOCUMENTS, `at most ${RERANK_MAX_DOCUMENTS} documents per request`),
    top_n: z.number().int().min(1).optional(),
    return_documents: z.boolean().optional(),
  })
  .loose();
export type RerankRequest = z.infer<typeof RerankRequest>;

/** OpenAI's voices; a provider's own voices are namespaced (`FunAudioLLM/CosyVoice2-0.5B:alex`). */
export const OPENAI_VOICES = [
  "alloy",
  "ash",
  "ballad",
  "coral",
  "echo",
  "fable",
  "onyx",
  "nova",
  "sage",
  "shimmer",
  "verse",
  "marin",
  "cedar",
];
const voice = z
  .string()
  .max(200)
  .refine((v) => OPENAI_VOICES.includes(v) || /^[\w.-]+[:/][\w.:/-]+$/.test(v), {
    message: `unknown voice: use one of ${OPENAI_VOICES.join(", ")}, or a provider's namespaced voice (model:voice)`,
  });

/** `POST /v1/audio/speech`: JSON in, audio out. */
export const SpeechRequest = z
  .object({
    model: z.string().min(1),
    input: z.string().min(1).max(4096),
    voice: z.union([voice, z.object({ id: z.string().min(1).max(200) })]),
    instructions: z.string().max(4096).optional(),
    response_format: z.enum(["mp3", "opus", "aac", "flac", "wav", "pcm"]).optional(),
    speed: z.number().min(0.25).max(4).optional(),
    stream_format: z.enum(["sse", "audio"]).optional(),
  })
  .loose();
export type SpeechRequest = z.infer<typeof SpeechRequest>;

/** The text fields of a transcription or translation form (`file` is the upload). */
export const TranscriptionForm = z
  .object({
    model: z.string().min(1),
    language: z.string().max(16).optional(),
    prompt: z.string().max(16_384).optional(),
    response_format: z.enum(["json", "text", "srt", "vtt", "verbose_json", "diarized_json"]).optional(),
    temperature: z.coerce.number().min(0).max(1).optional(),
    stream: z.enum(["true", "false"]).optional(),
  })
  .loose();
export type TranscriptionForm = z.infer<typeof TranscriptionForm>;
