/** Response types of the admin API: from libs/contracts (types only; nothing of it is bundled). */
import type {
  AuditEntryOut,
  ClientKeyCreated,
  ClientKeyOut,
  HealthViewOut,
  LinkOut,
  ModelOut,
  ProbeOut,
  ProviderKeyOut,
  ProviderOut,
  ProviderTestOut,
  TargetSnapshot,
} from "@ai-router/contracts";
import type { z } from "zod";

export type { ClientKeyOut, HealthViewOut, LinkOut, ModelOut, ProbeOut, ProviderKeyOut, ProviderOut, ProviderTestOut, TargetSnapshot };
export type AuditEntry = z.infer<typeof AuditEntryOut>;
export type ClientKeyWithSecret = z.infer<typeof ClientKeyCreated>;
export type Price = NonNullable<LinkOut["price"]>;

/** One request of the usage ledger (`GET /v1/db/usage`; libs/contracts usage.ts `UsageRecord`). */
export interface UsageRecord {
  id: string;
  /** The `x-request-id` the client sent; null (or absent in older rows) when none. */
  client_request_id?: string | null;
  time: string;
  replica: string;
  ingress: string;
  endpoint: string;
  model: string | null;
  provider: string | null;
  upstream_model: string | null;
  key_id: string | null;
  key_name: string | null;
  stream: boolean;
  status: number;
  error_code: string | null;
  attempts: {
    provider: string;
    upstream_model?: string;
    outcome: string;
    status: number | null;
    error_code?: string | null;
    latency_ms: number;
  }[];
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cached_tokens: number | null;
  reasoning_tokens: number | null;
  usage_estimated: boolean;
  cost_usd: number | null;
  latency_ms: number | null;
  ttft_ms: number | null;
  tokens_per_s: number | null;
  request_bytes: number | null;
  response_bytes: number | null;
}
export interface UsagePage {
  data: UsageRecord[];
  next_cursor: string | null;
}
export interface SummaryRow {
  key: string | null;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_usd: number | null;
  /** Prompt caching (absent from control planes before it). */
  cache_creation_tokens?: number;
  cache_hit_ratio?: number | null;
  cache_saved_usd?: number;
  /** Requests answered from the router's response cache (absent from control planes before it). */
  response_cache_hits?: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  ttft_p50_ms: number | null;
}
export type GroupBy = "model" | "provider" | "key" | "day" | "hour";
export interface UsageSummary {
  group_by: GroupBy;
  rows: SummaryRow[];
  totals: Omit<SummaryRow, "key">;
}
