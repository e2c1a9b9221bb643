import { z } from "zod";

/** The vocabulary of `router.yaml` (and the admin API): provider and model types, affinity, the response cache, capabilities, prices. */

/** Provider wire formats the router speaks. */
export const providerTypes = [
  "openai",
  "openai-compatible",
  "volcengine",
  "anthropic",
  "gemini",
  "mock",
  // OpenAI-compatible presets (libs/providers/src/<preset>): default base URL, key rule, quirks.
  "deepseek",
  "qwen",
  "moonshot",
  "zhipu",
  "qianfan",
  "minimax",
  "siliconflow",
  "openrouter",
  "groq",
  "mistral",
  "xai",
  "together",
  "ollama",
  "vllm",
  "azure-openai",
  // Rerank providers (libs/providers/src/rerank): Cohere v2, Jina, Voyage.
  "cohere",
  "jina",
  "voyage",
] as const;
export const ProviderType = z.enum(providerTypes);
export type ProviderType = z.infer<typeof ProviderType>;

/**
 * What a model serves; decides which endpoints accept it: `transcription` (audio transcriptions and
 * translations), `speech`, `moderation`, `rerank`, `completion` (legacy text completions and FIM),
 * `realtime` (`GET /v1/realtime`, OpenAI and Azure OpenAI targets).
 */
export const llmTypes = [
  "chat",
  "embedding",
  "image",
  "transcription",
  "speech",
  "moderation",
  "rerank",
  "completion",
  "realtime",
] as const;
export const LlmType = z.enum(llmTypes);
export type LlmType = z.infer<typeof LlmType>;

/**
 * How a model keeps a conversation on one target (provider and API key) so the provider's prompt cache
 * hits: `session` recognises the conversation by its identifiers (prompt_cache_key, agent session
 * headers, metadata.user_id, user) or else by its stable start; `prefix` by its system prompt and tools
 * only (conversations sharing that prefix share a target); `off` leaves every turn to the strategy.
 */
export const AffinityMode = z.enum(["off", "session", "prefix"]);
export type AffinityMode = z.infer<typeof AffinityMode>;

/** Longest a cached answer may live (7 days). */
export const RESPONSE_CACHE_MAX_TTL_S = 7 * 86_400;
/** Default bytes of cached answers a model keeps in a replica's memory (standalone). */
export const RESPONSE_CACHE_DEFAULT_BYTES = 64 * 1024 * 1024;

/**
 * Exact-match response cache of a model (opt-in): identical requests (same client key, model, messages,
 * tools and parameters after normalisation) within `ttl_s` are answered without calling a provider.
 */
export const ResponseCacheConfig = z
  .object({
    /** Seconds a cached answer is served. */
    ttl_s: z.number().int().positive().max(RESPONSE_CACHE_MAX_TTL_S),
    /** Bytes of cached answers kept in memory (least recently used go first); also the largest answer stored. */
    max_bytes: z
      .number()
      .int()
      .min(1024)
      .max(4 * 1024 ** 3)
      .default(RESPONSE_CACHE_DEFAULT_BYTES),
    /** Share cached answers across client keys (default: each key sees only its own). */
    shared: z.boolean().default(false),
  })
  .strict();
export type ResponseCacheConfig = z.infer<typeof ResponseCacheConfig>;

/**
 * What a model can do (the original's capabilities). A model that declares capabilities gets only the
 * requests it can serve: anything else is a 400 before any upstream call. Names are upper case; the
 * router checks the known ones, and custom names are kept for filtering (`/v1/models?capability=`).
 */
export const knownCapabilities = [
  "TEXT",
  "MULTIMODAL_IMAGE_UNDERSTANDING",
  "TOOLS",
  "EMBEDDING",
  "IMAGE_GENERATION",
  "TEXT_TO_IMAGE",
  "IMAGE_TO_IMAGE",
  "REASONING",
  "JSON_OUTPUT",
] as const;
export const CapabilityName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Z][A-Z0-9_]*$/, "capability names are upper case: letters, digits and _ (e.g. TEXT, TOOLS)");

/** Price of one target in USD per million tokens. */
export const Price = z
  .object({
    input_per_mtok: z.number().nonnegative(),
    output_per_mtok: z.number().nonnegative(),
    cached_input_per_mtok: z.number().nonnegative().optional(),
    /** Prompt-cache writes (Anthropic's 5-minute writes, 1.25x input); absent = the input price. */
    cache_write_per_mtok: z.number().nonnegative().optional(),
    /** Anthropic's 1-hour cache writes (2x input); absent = `cache_write_per_mtok`. */
    cache_write_1h_per_mtok: z.number().nonnegative().optional(),
    /** USD per generated image (image models priced per image, e.g. dall-e-3 at standard quality). */
    per_image: z.number().nonnegative().optional(),
    /** USD per minute of audio (transcription models billed by audio length, e.g. whisper-1). */
    per_audio_minute: z.number().nonnegative().optional(),
    /** USD per million input characters (speech models, e.g. tts-1). */
    per_mchar: z.number().nonnegative().optional(),
    /** USD per search (rerank models billed per query, e.g. Cohere's rerank). */
    per_search: z.number().nonnegative().optional(),
    /** Audio input tokens (realtime and audio models, e.g. gpt-realtime at 32); absent = the input price. */
    input_audio_per_mtok: z.number().nonnegative().optional(),
    /** Cached audio input tokens; absent = `input_audio_per_mtok`. */
    cached_input_audio_per_mtok: z.number().nonnegative().optional(),
    /** Audio output tokens (e.g. gpt-realtime at 64); absent = the output price. */
    output_audio_per_mtok: z.number().nonnegative().optional(),
    /** Fine-tuning: USD per million trained tokens of a job training this model here; absent = the bundled published price. */
    training_per_mtok: z.number().nonnegative().optional(),
  })
  .strict();
export type Price = z.infer<typeof Price>;
