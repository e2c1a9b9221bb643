import { z } from "zod";
import { jsonObject, SeedProviderType } from "./admin-fields.js";
import { AffinityMode, CapabilityName, llmTypes, Price, ProviderType } from "./config-file.js";
import { SetProviderHealthSchema } from "./health.js";
import { providerTransportOut } from "./transport.js";

/** Response bodies of the control plane's admin API (`/v1/db/*`); the requests are in admin-api.ts. */
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
