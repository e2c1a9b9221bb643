import { z } from "zod";
import { AffinityMode, CapabilityName, llmTypes, Price, ProviderType, RESPONSE_CACHE_MAX_TTL_S } from "./config-file.js";
import { SetProviderHealthSchema } from "./health.js";
import { CLIENT_CERT_MESSAGE, clientCertPaired, providerTransportFields, providerTransportOut } from "./transport.js";

/**
 * Request and response bodies of the control plane's admin API (`/v1/db/*`). The paths and the
 * seed's fields are kept (`provider_type`, `llm_type`, `provider_weight`...); bodies are strict, so a
 * misspelt field is a 400 rather than silently ignored.
 */

const entityName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, "letters, digits and . _ : / @ - only");
const modelName = z.string().min(1).max(256).regex(/^\S+$/, "no whitespace");
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
const description = z.string().max(2000).nullable();
const jsonObject = z.record(z.string(), z.unknown());
const apiKey = z.string().min(1).max(4096);

/** Seed classification of a provider. */
export const SeedProviderType = z.enum(["PUBLIC_CLOUD", "THIRD_PARTY", "PRIVATE"]);
/** `llm_type`: what the model serves, or the seed's PUBLIC/PRIVATE (treated as a chat model). */
export const AdminLlmType = z.enum([...llmTypes, "PUBLIC", "PRIVATE"]);

const providerFields = {
  /** Seed classification; defaults to PUBLIC_CLOUD. */
  provider_type: SeedProviderType,
  /** Wire format. Defaults from the name as the original did: openai* -> openai, anthropic, volcengine, else openai-compatible. */
  adapter: ProviderType,
  official_endpoint: httpUrl.nullable(),
  third_party_endpoint: httpUrl.nullable(),
  description,
  is_enabled: z.boolean(),
  timeout_ms: z.number().int().positive().max(3_600_000),
  connect_timeout_ms: z.number().int().positive().max(120_000),
  headers: z.record(z.string(), z.string()),
  stream_usage: z.boolean(),
  max_connections: z.number().int().positive().max(10_000),
  params: jsonObject,
  ...providerTransportFields,
};

export const ProviderCreate = z
  .object({
    name: entityName,
    ...providerFields,
    /** Alias of `official_endpoint` (the seed README's example). */
    base_url: httpUrl,
    /** One key or several (rotated round-robin); stored encrypted, never returned. */
    api_key: z.union([apiKey, z.array(apiKey).max(100)]),
  })
  .partial()
  .required({ name: true })
  .strict()
  .refine((b) => !(b.base_url && b.official_endpoint), { message: "give base_url or official_endpoint, not both", path: ["base_url"] })
  .refine(clientCertPaired, { message: CLIENT_CERT_MESSAGE, path: ["cert_file"] });
export type ProviderCreate = z.infer<typeof ProviderCreate>;

export const ProviderUpdate = z
  .object({
    name: entityName,
    ...providerFields,
    base_url: httpUrl,
    /** Replaces all the provider's keys. Required (or `confirm_new_host`) when the endpoint moves to another host. */
    api_key: z.union([apiKey, z.array(apiKey).min(1).max(100)]),
    /** With an endpoint on another host: send the stored keys and sealed headers there (audited) instead of re-entering them. */
    confirm_new_host: z.boolean(),
  })
  .partial()
  .strict()
  .refine((b) => !(b.base_url && b.official_endpoint), { message: "give base_url or official_endpoint, not both", path: ["base_url"] });
export type ProviderUpdate = z.infer<typeof ProviderUpdate>;

export const ProviderKeyCreate = z
  .object({ api_key: apiKey, name: z.string().max(128).nullable().optional(), is_enabled: z.boolean().default(true) })
  .strict();
export const ProviderKeyUpdate = z
  .object({ name: z.string().max(128).nullable(), is_enabled: z.boolean() })
  .partial()
  .strict();
/** Replaces a key's secret in place (same id, same position in the rotation). */
export const ProviderKeyRotate = z.object({ api_key: apiKey }).strict();

const strategyFields = {
  /** Balancing strategy (see `/v1/load-balancing/strategies`). */
  strategy: z.string().min(1).max(64),
  strategy_options: jsonObject,
  /** Defaults merged under each request's own fields. */
  params: jsonObject,
  /** Reject requests whose fields cannot be carried to the target instead of warning. */
  strict: z.boolean(),
  /** Finish a stream that broke after text reached the client on a target that takes a prefill. */
  stream_continuation: z.boolean(),
  /** Session affinity (`off`, `session`, `prefix`); null = the default (session for chat models with several targets). */
  affinity: AffinityMode.nullable(),
  /** Anthropic targets: automatic prompt-cache breakpoints on requests translated from other formats (default true). */
  cache_breakpoints: z.boolean(),
  /** Exact-match response cache: seconds a cached answer is served; null = no response cache. */
  cache_ttl_s: z.number().int().positive().max(RESPONSE_CACHE_MAX_TTL_S).nullable(),
  /** Response cache entries shared across client keys (default false: each key sees only its own). */
  cache_shared: z.boolean(),
};

export const ModelCreate = z
  .object({
    name: modelName,
    llm_type: AdminLlmType.default("chat"),
    description: description.optional(),
    is_enabled: z.boolean().default(true),
    /** Optional first link, created in the same transaction (seed). */
    provider_id: z.number().int().positive().optional(),
    provider_weight: z.number().positive().max(1_000_000).default(10),
    is_provider_preferred: z.boolean().default(false),
    /** Upstream model id for the first link; defaults to `name`. */
    upstream_model: z.string().min(1).max(256).optional(),
    visibility: z.enum(["PUBLIC", "PRIVATE"]).optional(),
    /** Capabilities to attach, by id (`GET /v1/db/capabilities`), in the same transaction (seed). */
    capability_ids: z.array(z.number().int().positive()).max(64).optional(),
    ...z.object(strategyFields).partial().shape,
  })
  .strict();
export type ModelCreate = z.infer<typeof ModelCreate>;

export const ModelUpdate = z
  .object({
    name: modelName,
    llm_type: AdminLlmType,
    description,
    is_enabled: z.boolean(),
    visibility: z.enum(["PUBLIC", "PRIVATE"]),
    ...strategyFields,
  })
  .partial()
  .strict();
export type ModelUpdate = z.infer<typeof ModelUpdate>;

const linkFields = {
  weight: z.number().positive().max(1_000_000),
  is_preferred: z.boolean(),
  /** Lower = higher tier; a lower tier is used only when no higher one is healthy. */
  priority: z.number().int().min(0).max(1000),
  /** Upstream model id; null = the model's name. */
  upstream_model: z.string().min(1).max(256).nullable(),
  price: Price.nullable(),
  /** false = shielded: never probed actively, judged from live traffic only. */
  health_check: z.boolean(),
  params: jsonObject,
  is_enabled: z.boolean(),
};
export const LinkCreate = z
  .object({ provider_id: z.number().int().positive(), ...linkFields })
  .partial()
  .required({ provider_id: true })
  .strict();
export type LinkCreate = z.infer<typeof LinkCreate>;
export const LinkUpdate = z.object(linkFields).partial().strict();
export type LinkUpdate = z.infer<typeof LinkUpdate>;

const keyFields = {
  name: z.string().min(1).max(128),
  /** Models this key may use; null = all. */
  models: z.array(modelName).max(1000).nullable(),
  rpm_limit: z.number().int().positive().nullable(),
  tpm_limit: z.number().int().positive().nullable(),
  budget_usd: z.number().nonnegative().nullable(),
  expires_at: z.iso.datetime({ offset: true }).nullable(),
};
export const ClientKeyCreate = z.object(keyFields).partial().required({ name: true }).strict();
export type ClientKeyCreate = z.infer<typeof ClientKeyCreate>;
export const ClientKeyUpdate = z
  .object({ ...keyFields, revoked: z.boolean() })
  .partial()
  .strict();
export type ClientKeyUpdate = z.infer<typeof ClientKeyUpdate>;

/** A path id: a positive integer. */
export const IdParam = z.coerce.number().int().positive().max(2_147_483_647);

// ---- responses ----

const timestamps = { created_at: z.string(), updated_at: z.string() };

export const ProviderKeyOut = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  /** `sk-...abcd`; the secret itself is never returned. */
  masked: z.string(),
  is_enabled: z.boolean(),
  created_at: z.string(),
  rotated_at: z.string().nullable(),
});
export type ProviderKeyOut = z.infer<typeof ProviderKeyOut>;

export const ProviderOut = z.object({
  id: z.number().int(),
  name: z.string(),
  /** The seed's `type` (= provider_type). */
  type: SeedProviderType,
  provider_type: SeedProviderType,
  adapter: ProviderType,
  /** Effective base URL: official, else third-party, else the adapter's default. */
  base_url: z.string().nullable(),
  official_endpoint: z.string().nullable(),
  third_party_endpoint: z.string().nullable(),
  description: z.string().nullable(),
  is_enabled: z.boolean(),
  timeout_ms: z.number().int(),
  connect_timeout_ms: z.number().int(),
  /** Values of credential-looking headers are masked. */
  headers: z.record(z.string(), z.string()),
  stream_usage: z.boolean(),
  max_connections: z.number().int(),
  params: jsonObject,
  ...providerTransportOut,
  api_keys: z.array(ProviderKeyOut),
  ...timestamps,
});
export type ProviderOut = z.infer<typeof ProviderOut>;

export const ProviderCreated = z.object({
  message: z.string(),
  provider_id: z.number().int(),
  provider_name: z.string(),
  api_keys: z.array(ProviderKeyOut),
});

export const LinkOut = z.object({
  provider_id: z.number().int(),
  provider_name: z.string(),
  weight: z.number(),
  is_preferred: z.boolean(),
  priority: z.number().int(),
  upstream_model: z.string().nullable(),
  price: Price.nullable(),
  health_check: z.boolean(),
  params: jsonObject,
  is_enabled: z.boolean(),
  ...timestamps,
});
export type LinkOut = z.infer<typeof LinkOut>;

export const ModelOut = z.object({
  id: z.number().int(),
  name: z.string(),
  /** The seed's `type` (= llm_type). */
  type: z.string(),
  llm_type: z.enum(llmTypes),
  visibility: z.enum(["PUBLIC", "PRIVATE"]),
  description: z.string().nullable(),
  is_enabled: z.boolean(),
  strategy: z.string(),
  strategy_options: jsonObject,
  params: jsonObject,
  strict: z.boolean(),
  stream_continuation: z.boolean(),
  /** Session affinity as set; null = the default. */
  affinity: AffinityMode.nullable(),
  /** Automatic Anthropic prompt-cache breakpoints (absent from control planes before it). */
  cache_breakpoints: z.boolean().optional(),
  /** Response cache TTL in seconds; null = off (absent from control planes before it). */
  cache_ttl_s: z.number().int().nullable().optional(),
  /** Response cache shared across keys (absent from control planes before it). */
  cache_shared: z.boolean().optional(),
  providers: z.array(LinkOut),
  ...timestamps,
});
export type ModelOut = z.infer<typeof ModelOut>;

/** The seed's exact answer to `POST /v1/db/models`. */
export const ModelCreated = z.object({
  message: z.literal("Model created successfully"),
  id: z.number().int(),
  name: z.string(),
  provider_info: z
    .object({ provider_id: z.number().int(), provider_name: z.string(), weight: z.number(), is_preferred: z.boolean() })
    .optional(),
  /** Present when `capability_ids` were given. */
  capabilities: z
    .array(z.object({ capability_id: z.number().int(), capability_name: z.string(), description: z.string().nullable() }))
    .optional(),
});

export const ClientKeyOut = z.object({
  id: z.number().int(),
  name: z.string(),
  /** First characters, for recognising the key. */
  prefix: z.string(),
  models: z.array(z.string()).nullable(),
  rpm_limit: z.number().int().nullable(),
  tpm_limit: z.number().int().nullable(),
  budget_usd: z.number().nullable(),
  /** USD spent by the key across all replicas (as last reported; proxies report every ~2 s). */
  spent_usd: z.number(),
  /** `budget_usd - spent_usd` (never below 0); null without a budget. */
  budget_remaining_usd: z.number().nullable(),
  /** When the spend was last reset (`POST /v1/db/keys/{id}/reset-spend`); null = never. */
  spend_reset_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  revoked: z.boolean(),
  ...timestamps,
});
export type ClientKeyOut = z.infer<typeof ClientKeyOut>;
/** Creation answer: the only time the plaintext key is shown. */
export const ClientKeyCreated = ClientKeyOut.extend({ key: z.string() });

export const AuditEntryOut = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entity: z.string(),
  entity_id: z.string().nullable(),
  details: jsonObject,
});

/** Cluster-wide settings (`/v1/db/settings`). */
export const SettingsOut = z.object({
  /** Every proxy request needs a client key; with no key left, every request is refused (401). */
  auth_required: z.boolean(),
  /** Client keys in the database (revoked ones included). */
  client_keys: z.number().int(),
  updated_at: z.string(),
});
export type SettingsOut = z.infer<typeof SettingsOut>;
export const SettingsUpdate = z.object({ auth_required: z.boolean() }).strict();
export type SettingsUpdate = z.infer<typeof SettingsUpdate>;

export const MessageOut = z.object({ message: z.string() }).loose();

/** The OpenAI error envelope every admin error uses. */
export const ErrorOut = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
});

// ---- capabilities and manual provider health (the original's endpoints) ----

/** `POST /v1/db/capabilities`: the name is upper-cased (the original took query parameters; a JSON body works too). */
export const CapabilityCreate = z
  .object({
    capability_name: z
      .string()
      .min(1)
      .max(64)
      .transform((s) => s.trim().toUpperCase())
      .pipe(CapabilityName),
    description: z.string().max(2000).optional(),
  })
  .strict();
export const CapabilityOut = z.object({ capability_id: z.number().int(), capability_name: z.string(), description: z.string().nullable() });
/** `POST /v1/models/{m}/capabilities`: attach an existing capability by name. */
export const CapabilityAttach = z.object({ capability_name: z.string().min(1).max(64) }).strict();
/** `PUT /v1/providers/{name}/health` (query `health_status` or this body). */
export const ProviderHealthSet = z.object({ health_status: SetProviderHealthSchema }).strict();
export const ProviderHealthOut = z.object({
  message: z.string(),
  provider_name: z.string(),
  health_status: SetProviderHealthSchema,
  manual: z.enum(["unhealthy", "degraded"]).nullable(),
});
