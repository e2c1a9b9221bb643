import { checkStrategy } from "@ai-router/balancing";
import { encryptSecret, type RouterConfigFile } from "@ai-router/contracts";
import { maskSecret } from "@ai-router/logger";
import { getDescriptor } from "@ai-router/providers";
import { audit } from "../api/audit.js";
import { sha256Hex } from "../api/client-keys.js";
import { requireAuth } from "../api/settings.js";
import type { PrismaClient } from "../db/client.js";
import { sealHeaders } from "../db/sealed-headers.js";
import type { Prisma } from "../generated/prisma/client.js";

export interface ImportSummary {
  providers: { created: number; updated: number };
  models: { created: number; updated: number };
  keys: { created: number; skipped: number };
  warnings: string[];
}

const json = (v: unknown) => v as Prisma.InputJsonValue;

/**
 * Imports a validated `router.yaml` into the database in one transaction: providers and models are
 * upserted by name (their links and provider keys replaced by the file's), client keys added by hash.
 * Rows the file does not mention are left alone. Provider keys are sealed with `masterKey`.
 */
export async function importConfig(
  prisma: PrismaClient,
  cfg: RouterConfigFile,
  masterKey: Buffer,
  actor = "cli:config-import",
): Promise<ImportSummary> {
  const s: ImportSummary = {
    providers: { created: 0, updated: 0 },
    models: { created: 0, updated: 0 },
    keys: { created: 0, skipped: 0 },
    warnings: [],
  };
  for (const m of cfg.models) {
    const problem = checkStrategy(
      m.strategy,
      m.strategy_options,
      m.providers.map((t) => ({
        provider: t.provider,
        upstreamModel: t.model ?? m.name,
        weight: t.weight,
        preferred: t.preferred,
        priority: t.priority,
      })),
    );
    if (problem) throw new Error(`model "${m.name}": ${problem}`);
  }
  await prisma.$transaction(
    async (tx) => {
      const ids = new Map<string, number>();
      for (const p of cfg.providers) {
        const keys = (Array.isArray(p.api_key) ? p.api_key : p.api_key === undefined ? [] : [p.api_key]).filter((k) => k !== "");
        const data = {
          adapter: p.type,
          providerType: p.type === "openai-compatible" ? "PRIVATE" : "PUBLIC_CLOUD",
          officialEndpoint: p.base_url ?? null,
          isEnabled: p.enabled,
          timeoutMs: p.timeout_ms,
          connectTimeoutMs: p.connect_timeout_ms,
          headers: sealHeaders(p.headers, masterKey),
          streamUsage: p.stream_usage,
          maxConnections: p.max_connections,
          proxyUrl: p.proxy_url === undefined ? null : encryptSecret(p.proxy_url, masterKey),
          caFile: p.ca_file ?? null,
          certFile: p.cert_file ?? null,
          keyFile: p.key_file ?? null,
          skipTlsVerify: p.tls_insecure_skip_verify,
          http2: p.http2,
        };
        const existing = await tx.provider.findUnique({ where: { name: p.name } });
        const row = existing
          ? await tx.provider.update({ where: { id: existing.id }, data })
          : await tx.provider.create({ data: { name: p.name, ...data } });
        if (existing) {
          s.providers.updated++;
          await tx.providerKey.deleteMany({ where: { providerId: row.id } });
        } else s.providers.created++;
        for (const k of keys)
          await tx.providerKey.create({ data: { providerId: row.id, secret: encryptSecret(k, masterKey), masked: maskSecret(k) } });
        if (keys.length === 0 && getDescriptor(p.type)?.keyRequired)
          s.warnings.push(`provider "${p.name}" has no API key (its variable may be unset)`);
        ids.set(p.name, row.id);
      }
      for (const m of cfg.models) {
        const data = {
          llmType: m.llm_type,
          description: m.description ?? null,
          strategy: m.strategy,
          strategyOptions: json(m.strategy_options),
          strict: m.strict,
          streamContinuation: m.stream_continuation,
          affinity: m.affinity ?? null,
          cacheBreakpoints: m.cache_breakpoints ?? null,
          cacheTtlS: m.cache?.ttl_s ?? null,
          cacheShared: m.cache?.shared ?? false,
          isEnabled: true,
        };
        const existing = await tx.model.findUnique({ where: { name: m.name } });
        const row = existing
          ? await tx.model.update({ where: { id: existing.id }, data })
          : await tx.model.create({ data: { name: m.name, ...data } });
        if (existing) {
          s.models.updated++;
          await tx.modelProvider.deleteMany({ where: { modelId: row.id } });
        } else s.models.created++;
        for (const t of m.providers) {
          await tx.modelProvider.create({
            data: {
              modelId: row.id,
              providerId: ids.get(t.provider)!,
              upstreamModel: t.model && t.model !== m.name ? t.model : null,
              weight: t.weight,
              isPreferred: t.preferred,
              priority: t.priority,
              ...(t.price ? { price: json(t.price) } : {}),
              healthCheck: t.health_check,
              params: json(t.params),
              isEnabled: t.enabled,
            },
          });
        }
      }
      for (const k of cfg.keys) {
        const hash = sha256Hex(k.key);
        if (await tx.clientKey.findUnique({ where: { hash } })) {
          s.keys.skipped++;
          continue;
        }
        await tx.clientKey.create({
          data: {
            name: k.name,
            hash,
            prefix: k.key.slice(0, 6),
            ...(k.models ? { allowedModels: k.models } : {}),
            rpmLimit: k.rpm_limit ?? null,
            tpmLimit: k.tpm_limit ?? null,
            budgetUsd: k.budget_usd ?? null,
          },
        });
        s.keys.created++;
      }
      // A file that asks for client auth (or brings keys) turns it on; an import never turns it off.
      if (cfg.server.auth_required === true || cfg.keys.length > 0) await requireAuth(tx);
      await audit(tx, actor, "import", "config", null, { providers: s.providers, models: s.models, keys: s.keys });
    },
    { timeout: 60_000 },
  );
  return s;
}
