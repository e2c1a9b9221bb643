import type { RoutingTable } from "@ai-router/contracts";
import type { ProbeTarget } from "@ai-router/providers";
import { keyRotation, openProviderSecrets, toRuntimeProvider } from "@ai-router/providers";

export interface ProbedProvider extends ProbeTarget {
  /** Key rotation across probes, as the proxies rotate keys across requests. */
  nextKey(): string | undefined;
}

export interface ProbeTargets {
  /** Providers to probe, by name: each once, however many models use it. */
  providers: Map<string, ProbedProvider>;
  /** Providers left out, with why (keys that cannot be opened). Reasons never contain a secret. */
  skipped: { provider: string; reason: string }[];
}

/**
 * The providers of a table that have at least one `healthCheck: true` link (a link with
 * `healthCheck: false` is shielded: judged by live traffic only). Keys are opened with `decrypt`.
 */
export function probeTargets(table: RoutingTable, decrypt: (secret: string) => string): ProbeTargets {
  const modelOf = new Map<string, string>();
  for (const m of table.models)
    for (const t of m.targets) if (t.healthCheck && !modelOf.has(t.provider)) modelOf.set(t.provider, t.upstreamModel);
  const providers = new Map<string, ProbedProvider>();
  const skipped: ProbeTargets["skipped"] = [];
  for (const p of table.providers) {
    const upstreamModel = modelOf.get(p.name);
    if (upstreamModel === undefined) continue;
    let opened: ReturnType<typeof openProviderSecrets>;
    try {
      opened = openProviderSecrets(p, decrypt);
    } catch (err) {
      skipped.push({ provider: p.name, reason: `cannot open its keys or headers: ${(err as Error).message}` });
      continue;
    }
    const keys = opened.apiKeys;
    providers.set(p.name, { provider: toRuntimeProvider(p, keys, opened.headers), upstreamModel, nextKey: keyRotation(keys) });
  }
  return { providers, skipped };
}
