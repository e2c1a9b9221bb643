import { z } from "zod";
import { CLIENT_CERT_MESSAGE, clientCertPaired, DEFAULT_HTTP2_MODE, Http2Mode, PemFilePath, ProxyUrl } from "./transport.js";

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
  })
  .strict();
export type Price = z.infer<typeof Price>;

const name = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, "letters, digits and . _ : / @ - only");

/** One upstream provider account in `router.yaml`. */
export const ProviderConfig = z
  .object({
    name,
    type: ProviderType,
    /** Base URL including the API version path (`https://api.openai.com/v1`). Defaults per type. */
    base_url: z.url().optional(),
    /** One key, or a list rotated round-robin. Empty for servers that need none. */
    api_key: z.union([z.string(), z.array(z.string())]).optional(),
    timeout_ms: z.number().int().positive().max(3_600_000).default(60_000),
    /** Time allowed to establish a connection before failing over. */
    connect_timeout_ms: z.number().int().positive().max(120_000).default(5_000),
    /** Extra headers sent upstream on every request. */
    headers: z.record(z.string(), z.string()).default({}),
    /** Ask OpenAI-style upstreams for usage in streams (`stream_options.include_usage`). */
    stream_usage: z.boolean().default(true),
    /** Upper bound of pooled connections to this provider. */
    max_connections: z.number().int().positive().max(10_000).default(1024),
    enabled: z.boolean().default(true),
    /** Egress proxy for this provider (`http://`, `https://`, `socks5://`, with `user:password@`); else HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
    proxy_url: ProxyUrl.optional(),
    /** PEM file of extra CAs trusted for this provider (a private CA), beside the public roots. */
    ca_file: PemFilePath.optional(),
    /** Client certificate (PEM) for upstreams that require mTLS; needs `key_file`. */
    cert_file: PemFilePath.optional(),
    key_file: PemFilePath.optional(),
    /** Test setups only: accept any certificate (a warning is logged at every table load). */
    tls_insecure_skip_verify: z.boolean().default(false),
    /** HTTP/2 to this upstream: `auto` (ALPN), `on`, `off`. */
    http2: Http2Mode.default(DEFAULT_HTTP2_MODE),
  })
  .strict()
  .refine(clientCertPaired, { message: CLIENT_CERT_MESSAGE, path: ["cert_file"] });
export type ProviderConfig = z.infer<typeof ProviderConfig>;

/** A link from a model to a provider that serves it. */
export const ModelTargetConfig = z
  .object({
    provider: name,
    /** Upstream model id; defaults to the model's name. */
    model: z.string().min(1).max(256).optional(),
    weight: z.number().positive().max(1_000_000).default(1),
    preferred: z.boolean().default(false),
    /** Lower number = higher tier; a lower tier is used only when no higher one is healthy. */
    priority: z.number().int().min(0).max(1000).default(0),
    price: Price.optional(),
    /** false = never probe actively (costly model); judged from live traffic only ("shielding"). */
    health_check: z.boolean().default(true),
    /** Defaults merged into each request (the client's own values win). */
    params: z.record(z.string(), z.unknown()).default({}),
    enabled: z.boolean().default(true),
  })
  .strict();
export type ModelTargetConfig = z.infer<typeof ModelTargetConfig>;

export const ModelConfig = z
  .object({
    name: z.string().min(1).max(256),
    llm_type: LlmType.default("chat"),
    description: z.string().max(2000).optional(),
    strategy: z.string().min(1).default("weighted_round_robin"),
    /** Strategy knobs (preference weights, SLOs, ...), validated by the strategy. */
    strategy_options: z.record(z.string(), z.unknown()).default({}),
    /** Reject requests whose fields cannot be carried to the target instead of warning. */
    strict: z.boolean().default(false),
    /** Finish a stream that broke after text reached the client on a target that takes a prefill. */
    stream_continuation: z.boolean().default(false),
    /** What the model can do (TEXT, TOOLS, MULTIMODAL_IMAGE_UNDERSTANDING, ...); absent = not checked. */
    capabilities: z.array(CapabilityName).max(64).optional(),
    /** Session affinity (absent: `session` for chat models with more than one target). */
    affinity: AffinityMode.optional(),
    /** Anthropic targets: add prompt-cache breakpoints to requests translated from other formats (default true). */
    cache_breakpoints: z.boolean().optional(),
    /** Exact-match response cache (absent: off). */
    cache: ResponseCacheConfig.optional(),
    providers: z.array(ModelTargetConfig).min(1),
  })
  .strict();
export type ModelConfig = z.infer<typeof ModelConfig>;

export const ClientKeyConfig = z
  .object({
    name: z.string().min(1).max(128),
    key: z.string().min(8, "client keys must be at least 8 characters"),
    /** Models this key may use; absent = all. */
    models: z.array(z.string().min(1)).optional(),
    /** Requests per key per sliding 60 s window (429 `rate_limit_exceeded` above it). */
    rpm_limit: z.number().int().positive().optional(),
    /** Prompt + completion tokens per key per sliding 60 s window, counted when requests finish. */
    tpm_limit: z.number().int().positive().optional(),
    /** Spend limit in USD from target prices (429 `insufficient_quota` once spent); standalone: since process start. */
    budget_usd: z.number().nonnegative().optional(),
    /** May get `x-router-decision` back for `x-router-debug: 1` (with client keys, only such keys do). */
    debug: z.boolean().optional(),
  })
  .strict();
export type ClientKeyConfig = z.infer<typeof ClientKeyConfig>;

export const ServerConfig = z
  .object({
    /** Largest accepted request body in bytes. */
    max_body_bytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
    /** Largest audio upload (transcriptions, translations), in bytes: 413 before any upstream call. */
    max_audio_bytes: z
      .number()
      .int()
      .positive()
      .default(25 * 1024 * 1024),
    /** Most upstream attempts per request (first try included). */
    max_attempts: z.number().int().min(1).max(10).default(3),
    /** Consecutive failures that put a target in cooldown. */
    failure_threshold: z.number().int().min(1).max(1000).default(3),
    cooldown_ms: z.number().int().min(0).max(3_600_000).default(30_000),
    /** Grace period for in-flight requests on SIGTERM. */
    shutdown_grace_ms: z.number().int().min(0).max(600_000).default(30_000),
    /** Log one line per request at info level. */
    access_log: z.boolean().default(true),
    /** Appends one JSON usage record per request to this file (JSONL); unset = none. */
    usage_log: z.string().min(1).optional(),
    /**
     * Bearer token for the standalone admin endpoints (`POST /v1/stats/refresh`, `/v1/stats/reset`,
     * `/v1/models/clear-cache`, `PUT /v1/providers/{name}/health`); absent = those endpoints answer 403.
     */
    admin_token: z.string().min(16, "admin_token must be at least 16 characters").optional(),
    /**
     * Every request needs one of `keys`. Default: on exactly when `keys` has entries. `true` keeps it on
     * with no key left (every request is a 401); `false` with keys is an error.
     */
    auth_required: z.boolean().optional(),
    /** The Responses API's stored responses (`store`, `previous_response_id`) and reasoning seal. */
    responses: z
      .object({
        /** How long a stored response stays retrievable. */
        ttl_s: z.number().int().min(1).max(2_592_000).default(86_400),
        /** Most responses kept in memory (least recently used go first). */
        max_stored: z.number().int().min(1).max(1_000_000).default(10_000),
        /**
         * Most bytes of stored responses kept in memory (least recently used go first; an evicted id
         * answers 404 like an unknown one). Part of the proxy's memory budget: 64 MiB by default.
         */
        max_bytes: z
          .number()
          .int()
          .min(1024 * 1024)
          .max(64 * 1024 * 1024 * 1024)
          .default(64 * 1024 * 1024),
        /** Secret that seals reasoning state in `encrypted_content`; unset = random at each start. */
        secret: z.string().min(16).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ServerConfig = z.infer<typeof ServerConfig>;

/** The whole `router.yaml` file (after `${VAR}` interpolation). */
export const RouterConfigFile = z
  .object({
    server: ServerConfig.default(ServerConfig.parse({})),
    providers: z.array(ProviderConfig).min(1),
    models: z.array(ModelConfig).min(1),
    keys: z.array(ClientKeyConfig).default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const providers = new Set<string>();
    cfg.providers.forEach((p, i) => {
      if (providers.has(p.name))
        ctx.addIssue({ code: "custom", path: ["providers", i, "name"], message: `duplicate provider name "${p.name}"` });
      providers.add(p.name);
    });
    const models = new Set<string>();
    cfg.models.forEach((m, i) => {
      if (models.has(m.name)) ctx.addIssue({ code: "custom", path: ["models", i, "name"], message: `duplicate model name "${m.name}"` });
      models.add(m.name);
      m.providers.forEach((t, j) => {
        if (!providers.has(t.provider))
          ctx.addIssue({ code: "custom", path: ["models", i, "providers", j, "provider"], message: `unknown provider "${t.provider}"` });
      });
    });
    if (cfg.server.auth_required === false && cfg.keys.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["server", "auth_required"],
        message: "false, but keys are configured: remove the keys or set auth_required: true",
      });
    const keys = new Set<string>();
    cfg.keys.forEach((k, i) => {
      if (keys.has(k.key)) ctx.addIssue({ code: "custom", path: ["keys", i, "key"], message: `duplicate key (named "${k.name}")` });
      keys.add(k.key);
      k.models?.forEach((m, j) => {
        if (!models.has(m)) ctx.addIssue({ code: "custom", path: ["keys", i, "models", j], message: `unknown model "${m}"` });
      });
    });
  });
export type RouterConfigFile = z.infer<typeof RouterConfigFile>;
