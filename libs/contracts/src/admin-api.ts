import { z } from "zod";
import { AdminLlmType, apiKey, description, entityName, httpUrl, jsonObject, modelName, SeedProviderType } from "./admin-fields.js";
import { AffinityMode, Price, ProviderType, RESPONSE_CACHE_MAX_TTL_S } from "./config-file.js";
import { CLIENT_CERT_MESSAGE, clientCertPaired, providerTransportFields } from "./transport.js";

/**
 * Request bodies of the control plane's admin API (`/v1/db/*`; its answers: admin-api-out.ts). The paths and the
 * seed's fields are kept (`provider_type`, `llm_type`, `provider_weight`...); bodies are strict, so a
 * misspelt field is a 400 rather than silently ignored.
 */

export { AdminLlmType, SeedProviderType } from "./admin-fields.js";

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

export * from "./admin-api-out.js";
