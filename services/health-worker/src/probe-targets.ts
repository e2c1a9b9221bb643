import type { RoutingTable } from "@ai-router/contracts";
import type { ProbeTarget } from "@ai-router/providers";
import {
  getAdapter,
  keyRotation,
  openProviderSecrets,
  probeTransport,
  toRuntimeProvider,
  transportKey,
  transportWarnings,
} from "@ai-router/providers";

export interface ProbedProvider extends ProbeTarget {
  /** Key rotation across probes, as the proxies rotate keys across requests. */
  nextKey(): string | undefined;
  /** What its pool was built from: kept across tables while unchanged. */
  transportKey?: string;
}

export interface ProbeTargets {
  /** Providers to probe, by name: each once, however many models use it. */
  providers: Map<string, ProbedProvider>;
  /** Providers left out, with why (keys that cannot be opened, TLS files missing). Reasons never contain a secret. */
  skipped: { provider: string; reason: string }[];
  /** Said at every table load (a provider whose certificate is not checked). */
  warnings: string[];
}

/**
 * The providers of a table that have at least one `healthCheck: true` link (a link with
 * `healthCheck: false` is shielded: judged by live traffic only). Keys are opened with `decrypt`. Each
 * gets a small pool that reaches it the way the proxies do (egress proxy, TLS, HTTP/2); a provider
 * whose connection settings did not change keeps the pool it had in `previous`.
 */
export function probeTargets(
  table: RoutingTable,
  decrypt: (secret: string) => string,
  previous?: ReadonlyMap<string, ProbedProvider>,
  env: NodeJS.ProcessEnv = process.env,
): ProbeTargets {
  const modelOf = new Map<string, string>();
  for (const m of table.models)
    for (const t of m.targets) if (t.healthCheck && !modelOf.has(t.provider)) modelOf.set(t.provider, t.upstreamModel);
  const providers = new Map<string, ProbedProvider>();
  const skipped: ProbeTargets["skipped"] = [];
  const warnings: string[] = [];
  for (const p of table.providers) {
    const upstreamModel = modelOf.get(p.name);
    if (upstreamModel === undefined) continue;
    let opened: ReturnType<typeof openProviderSecrets>;
    try {
      opened = openProviderSecrets(p, decrypt);
    } catch (err) {
      skipped.push({ provider: p.name, reason: `cannot open its keys, headers or proxy URL: ${(err as Error).message}` });
      continue;
    }
    const keys = opened.apiKeys;
    const provider = toRuntimeProvider(p, keys, opened.headers, opened.proxyUrl);
    const target: ProbedProvider = { provider, upstreamModel, nextKey: keyRotation(keys) };
    if (!getAdapter(p.type)?.transport) {
      const key = transportKey(provider, env);
      const prev = previous?.get(p.name);
      if (prev?.dispatcher && prev.transportKey === key) target.dispatcher = prev.dispatcher;
      else {
        try {
          target.dispatcher = probeTransport(provider, env);
        } catch (err) {
          skipped.push({ provider: p.name, reason: (err as Error).message });
          continue;
        }
      }
      target.transportKey = key;
      warnings.push(...transportWarnings(p));
    }
    providers.set(p.name, target);
  }
  return { providers, skipped, warnings };
}

/** Closes the pools of `previous` that `next` did not keep (probes running on them finish first). */
export async function closeUnusedPools(
  previous: ReadonlyMap<string, ProbedProvider>,
  next: ReadonlyMap<string, ProbedProvider>,
): Promise<void> {
  const kept = new Set([...next.values()].map((t) => t.dispatcher));
  for (const t of previous.values()) if (t.dispatcher && !kept.has(t.dispatcher)) await t.dispatcher.close().catch(() => {});
}
