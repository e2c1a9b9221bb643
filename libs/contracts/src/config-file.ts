import { z } from "zod";
import { AffinityMode, CapabilityName, LlmType, Price, ProviderType, ResponseCacheConfig } from "./config-vocab.js";
import { CLIENT_CERT_MESSAGE, clientCertPaired, DEFAULT_HTTP2_MODE, Http2Mode, PemFilePath, ProxyUrl } from "./transport.js";

export * from "./config-vocab.js";

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
