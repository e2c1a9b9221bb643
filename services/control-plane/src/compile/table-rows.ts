import type { ProviderType, TableClientKey, TableProvider } from "@ai-router/contracts";
import { checkProvider } from "@ai-router/providers";
import { type TransportColumns, tableTransport } from "../db/provider-transport.js";

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Provider and client-key rows as the routing table carries them. */
/** A provider row with its enabled keys, as the compiler reads it. */
export interface ProviderRow {
  name: string;
  adapter: string;
  officialEndpoint: string | null;
  thirdPartyEndpoint: string | null;
  timeoutMs: number;
  connectTimeoutMs: number;
  headers: unknown;
  streamUsage: boolean;
  maxConnections: number;
  healthOverride: string | null;
  keys: { secret: string }[];
}

/**
 * A provider row as it goes into the table (keys and header values still sealed), or why a proxy
 * would refuse it. The "test connection" probe uses it too, so it tests what the proxies will send.
 */
export function toTableProvider(
  p: ProviderRow & TransportColumns,
): { ok: true; provider: TableProvider } | { ok: false; problem: "unknown_type" | "no_base_url" | "no_key"; why: string } {
  const type = p.adapter as ProviderType;
  const checked = checkProvider({ name: p.name, type, baseUrl: p.officialEndpoint ?? p.thirdPartyEndpoint, keyCount: p.keys.length });
  if (!checked.ok) {
    const why = {
      unknown_type: `adapter "${p.adapter}" is not available in this build`,
      no_base_url: `adapter ${type} needs a base URL (official_endpoint)`,
      no_key: "no enabled API key",
    };
    return { ok: false, problem: checked.problem, why: why[checked.problem] };
  }
  return {
    ok: true,
    provider: {
      name: p.name,
      type,
      baseUrl: checked.baseUrl,
      apiKeys: p.keys.map((k) => k.secret),
      timeoutMs: p.timeoutMs,
      connectTimeoutMs: p.connectTimeoutMs,
      headers: obj(p.headers) as Record<string, string>,
      streamUsage: p.streamUsage,
      maxConnections: p.maxConnections,
      ...(p.healthOverride === "unhealthy" || p.healthOverride === "degraded" ? { healthOverride: p.healthOverride } : {}),
      ...tableTransport(p),
    },
  };
}

/** A client key row as it travels (in its own bucket, or in the table). */
export function toTableKey(k: {
  id: number;
  name: string;
  hash: string;
  allowedModels: unknown;
  revoked: boolean;
  revokedAt: Date | null;
  expiresAt: Date | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  budgetUsd: number | null;
  spentUsd: number | null;
  spendResetAt: Date | null;
}): TableClientKey {
  const expiresAt = k.revoked ? (k.revokedAt?.getTime() ?? 0) : k.expiresAt?.getTime();
  return {
    id: String(k.id),
    name: k.name,
    sha256: k.hash,
    ...(Array.isArray(k.allowedModels) ? { models: k.allowedModels as string[] } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(k.rpmLimit !== null ? { rpmLimit: k.rpmLimit } : {}),
    ...(k.tpmLimit !== null ? { tpmLimit: k.tpmLimit } : {}),
    ...(k.budgetUsd !== null ? { budgetUsd: k.budgetUsd } : {}),
    // The cluster-wide spend so far: each proxy adds its own spend since this table to it.
    ...(k.budgetUsd !== null ? { spentUsd: k.spentUsd ?? 0 } : {}),
    ...(k.budgetUsd !== null && k.spendResetAt ? { spendResetAt: k.spendResetAt.getTime() } : {}),
  };
}
