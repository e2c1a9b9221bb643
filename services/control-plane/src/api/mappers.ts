import type { ClientKeyOut, LinkOut, ModelOut, Price, ProviderKeyOut, ProviderOut, ProviderType } from "@ai-router/contracts";
import { maskSecret } from "@ai-router/logger";
import { defaultBaseUrl } from "@ai-router/providers";
import { transportOut } from "../db/provider-transport.js";
import { openHeaders } from "../db/sealed-headers.js";
import type { ClientKey, Model, ModelProvider, Provider, ProviderKey } from "../generated/prisma/client.js";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Common provider names -> adapter (the original picked the adapter from the name, §4.7), used when
 * none is given. Matched on the lower-cased name's start, after removing separators, so `DeepSeek`,
 * `deepseek-main`, `Azure_OpenAI` and `aliqwen` all find theirs; anything unknown is OpenAI-compatible.
 */
const NAME_HINTS: readonly [readonly string[], ProviderType][] = [
  [["azureopenai", "azure"], "azure-openai"],
  [["openrouter"], "openrouter"],
  [["openai"], "openai"],
  [["anthropic", "claude"], "anthropic"],
  [["volcengine", "volcano", "ark", "doubao", "huoshan"], "volcengine"],
  [["gemini", "google", "vertex"], "gemini"],
  [["deepseek"], "deepseek"],
  [["qwen", "aliqwen", "dashscope", "tongyi", "bailian", "alibaba", "aliyun"], "qwen"],
  [["moonshot", "kimi"], "moonshot"],
  [["zhipu", "glm", "bigmodel", "zai", "chatglm"], "zhipu"],
  [["qianfan", "ernie", "baidu", "wenxin"], "qianfan"],
  [["minimax", "abab"], "minimax"],
  [["siliconflow", "silicon"], "siliconflow"],
  [["groq"], "groq"],
  [["mistral", "codestral"], "mistral"],
  [["xai", "grok"], "xai"],
  [["together"], "together"],
  [["ollama"], "ollama"],
  [["vllm"], "vllm"],
];

export function adapterFromName(name: string): ProviderType {
  const n = name.toLowerCase().replace(/[\s_.-]+/g, "");
  for (const [prefixes, adapter] of NAME_HINTS) if (prefixes.some((p) => n.startsWith(p))) return adapter;
  return "openai-compatible";
}

/** Effective base URL: official endpoint, else third-party, else the adapter's default. */
export function baseUrlOf(p: Pick<Provider, "officialEndpoint" | "thirdPartyEndpoint" | "adapter">): string | null {
  return p.officialEndpoint ?? p.thirdPartyEndpoint ?? defaultBaseUrl(p.adapter) ?? null;
}

const SECRET_HEADER = /auth|key|token|secret|cookie|signature/i;
/** Stored (sealed) header values opened, then the credential-looking ones masked, for answers. */
export function maskHeaders(h: unknown, key: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let opened: Record<string, string>;
  try {
    opened = openHeaders(h, key);
  } catch {
    // Sealed under another master key: nothing can be shown.
    for (const k of Object.keys(obj(h))) out[k] = "(sealed)";
    return out;
  }
  for (const [k, v] of Object.entries(opened)) out[k] = SECRET_HEADER.test(k) ? maskSecret(v) : v;
  return out;
}

export const toKeyOut = (k: ProviderKey): ProviderKeyOut => ({
  id: k.id,
  name: k.name,
  masked: k.masked,
  is_enabled: k.isEnabled,
  created_at: k.createdAt.toISOString(),
  rotated_at: iso(k.rotatedAt),
});

export function toProviderOut(p: Provider & { keys: ProviderKey[] }, masterKey: Buffer): ProviderOut {
  const type = p.providerType as ProviderOut["type"];
  return {
    id: p.id,
    name: p.name,
    type,
    provider_type: type,
    adapter: p.adapter as ProviderType,
    base_url: baseUrlOf(p),
    official_endpoint: p.officialEndpoint,
    third_party_endpoint: p.thirdPartyEndpoint,
    description: p.description,
    is_enabled: p.isEnabled,
    timeout_ms: p.timeoutMs,
    connect_timeout_ms: p.connectTimeoutMs,
    headers: maskHeaders(p.headers, masterKey),
    stream_usage: p.streamUsage,
    max_connections: p.maxConnections,
    params: obj(p.params),
    ...transportOut(p, masterKey),
    api_keys: p.keys.map(toKeyOut),
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

export const toLinkOut = (l: ModelProvider & { provider: Provider }): LinkOut => ({
  provider_id: l.providerId,
  provider_name: l.provider.name,
  weight: l.weight,
  is_preferred: l.isPreferred,
  priority: l.priority,
  upstream_model: l.upstreamModel,
  price: (l.price as Price | null) ?? null,
  health_check: l.healthCheck,
  params: obj(l.params),
  is_enabled: l.isEnabled,
  created_at: l.createdAt.toISOString(),
  updated_at: l.updatedAt.toISOString(),
});

export const toModelOut = (m: Model & { links: (ModelProvider & { provider: Provider })[] }): ModelOut => ({
  id: m.id,
  name: m.name,
  type: m.llmType,
  llm_type: m.llmType as ModelOut["llm_type"],
  visibility: m.visibility as ModelOut["visibility"],
  description: m.description,
  is_enabled: m.isEnabled,
  strategy: m.strategy,
  strategy_options: obj(m.strategyOptions),
  params: obj(m.params),
  strict: m.strict,
  stream_continuation: m.streamContinuation,
  affinity: (m.affinity ?? null) as ModelOut["affinity"],
  cache_breakpoints: m.cacheBreakpoints ?? true,
  cache_ttl_s: m.cacheTtlS ?? null,
  cache_shared: m.cacheShared,
  providers: m.links.map(toLinkOut),
  created_at: m.createdAt.toISOString(),
  updated_at: m.updatedAt.toISOString(),
});

export const toClientKeyOut = (k: ClientKey): ClientKeyOut => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  models: Array.isArray(k.allowedModels) ? (k.allowedModels as string[]) : null,
  rpm_limit: k.rpmLimit,
  tpm_limit: k.tpmLimit,
  budget_usd: k.budgetUsd,
  spent_usd: k.spentUsd ?? 0,
  budget_remaining_usd: k.budgetUsd === null ? null : Math.max(0, k.budgetUsd - (k.spentUsd ?? 0)),
  spend_reset_at: iso(k.spendResetAt),
  expires_at: iso(k.expiresAt),
  revoked: k.revoked,
  created_at: k.createdAt.toISOString(),
  updated_at: k.updatedAt.toISOString(),
});

export const linkInclude = { links: { include: { provider: true }, orderBy: { id: "asc" as const } } };
export const keysInclude = { keys: { orderBy: { id: "asc" as const } } };
