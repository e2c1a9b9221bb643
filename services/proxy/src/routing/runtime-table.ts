import {
  type AffinityMode,
  type Balancer,
  type Candidate,
  getStrategy,
  strategyNames,
  TargetHealth,
  withAffinity,
} from "@ai-router/balancing";
import type { RoutingTable, TableClientKey, TableModel, TableSettings } from "@ai-router/contracts";
import {
  getAdapter,
  keyRotation,
  openProviderSecrets,
  type ProviderAdapter,
  type RuntimeProvider,
  toRuntimeProvider,
  transportWarnings,
} from "@ai-router/providers";
import type { Dispatcher } from "undici";
import { stickyKeys } from "../affinity/sticky-key.js";
import { type ModelCache, ResponseCaches } from "../response-cache/model-caches.js";
import type { ConnectionGate } from "../upstream/connection-gate.js";
import { buildPool, poolKey } from "./provider-pool.js";

/** A provider ready for requests: adapter, connection pool and key rotation. */
export interface LiveProvider {
  readonly config: RuntimeProvider;
  readonly adapter: ProviderAdapter;
  /** The provider's connection pool (direct or through its egress proxy); undefined for in-process transports. */
  readonly agent: Dispatcher | undefined;
  /** The pool's connections as slots (bounded wait, queue counters); shared by tables that share the pool. */
  readonly gate: ConnectionGate | undefined;
  /** HTTP/2 may be negotiated: requests are sent marked idempotent so undici multiplexes them. */
  readonly multiplex: boolean;
  /** Next key, round-robin over the provider's keys. */
  nextKey(): string | undefined;
  /** The key a conversation keeps (session affinity): the same in every replica. */
  keyFor(conversation: number): string | undefined;
}

export interface LiveTarget extends Candidate {
  readonly live: LiveProvider;
  readonly params: Record<string, unknown>;
  readonly price: Candidate["price"];
}

export interface LiveModel {
  readonly config: TableModel;
  readonly targets: readonly LiveTarget[];
  readonly balancer: Balancer;
  /** Session affinity in effect: `off` for a single target, a non-chat model or `specified_provider`. */
  readonly affinity: AffinityMode;
  /** The model's response cache; undefined (most models) = none, nothing looked up. */
  readonly cache?: ModelCache | undefined;
}

/** The immutable runtime form of a routing table; built once per table, swapped atomically. */
export interface RuntimeTable {
  readonly revision: number;
  /** The database the table was compiled from (cluster mode); undefined in standalone mode. */
  readonly lineage: string | undefined;
  readonly generatedAt: string;
  readonly settings: TableSettings;
  readonly models: ReadonlyMap<string, LiveModel>;
  readonly providers: ReadonlyMap<string, LiveProvider>;
  /** sha256 hex -> key. */
  readonly clientKeys: ReadonlyMap<string, TableClientKey>;
  /** Every request needs a valid key (true whenever keys exist; also with none left, when the table says so). */
  readonly authRequired: boolean;
  /** Things the operator must hear at every table load (a provider that skips certificate checks). */
  readonly warnings: readonly string[];
  /** Closes connection pools that the next table no longer uses. */
  close(): Promise<void>;
}

export class TableBuildError extends Error {
  override readonly name = "TableBuildError";
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}

export interface BuildOptions {
  /** Decrypts `enc:v1:` secrets (cluster mode); identity by default. */
  decrypt?: (secret: string) => string;
  /** Health objects from the previous table, reused so live stats survive a swap. */
  health?: Map<string, TargetHealth>;
  /** Pools from the previous table, reused when the provider's connection settings are unchanged. */
  previous?: RuntimeTable;
  rng?: () => number;
  /** Longest wait for a pool connection before a request fails over with 503 `upstream_busy`. */
  poolWaitMs?: number;
  /** The client keys followed in their own bucket (cluster mode): used when a table says `keysBucket`. */
  liveKeys?: Map<string, TableClientKey>;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY for providers without their own proxy (process.env by default). */
  env?: NodeJS.ProcessEnv;
  /** Response caches of the models that have one (kept across tables); default: new ones in memory. */
  responseCaches?: ResponseCaches;
}

/** The table entry each live provider was built from: an unchanged provider is taken over whole. */
const providerSources = new WeakMap<LiveProvider, string>();

/** Builds the runtime form; throws TableBuildError listing every problem (unknown strategy, type...). */
export function buildRuntimeTable(table: RoutingTable, opts: BuildOptions = {}): RuntimeTable {
  const problems: string[] = [];
  const decrypt = opts.decrypt ?? ((s: string) => s);
  const providers = new Map<string, LiveProvider>();
  const reused = new Set<Dispatcher>();
  const warnings: string[] = [];
  const env = opts.env ?? process.env;
  let caches = opts.responseCaches;
  for (const p of table.providers) {
    // Unchanged (same entry, same secrets): the previous table's provider as it is, key rotation included.
    const source = JSON.stringify(p);
    const same = opts.previous?.providers.get(p.name);
    if (same && providerSources.get(same) === source) {
      if (same.gate && opts.poolWaitMs !== undefined) same.gate.waitMs = opts.poolWaitMs;
      if (same.agent) reused.add(same.agent);
      if (p.tlsInsecureSkipVerify === true) warnings.push(...transportWarnings(p));
      providers.set(p.name, same);
      continue;
    }
    const adapter = getAdapter(p.type);
    if (!adapter) {
      problems.push(`provider "${p.name}": type "${p.type}" is not supported by this build`);
      continue;
    }
    let opened: ReturnType<typeof openProviderSecrets>;
    try {
      opened = openProviderSecrets(p, decrypt);
    } catch (err) {
      problems.push(`provider "${p.name}": cannot decrypt its keys, headers or proxy URL (${(err as Error).message})`);
      continue;
    }
    const keys = opened.apiKeys;
    const config = toRuntimeProvider(p, keys, opened.headers, opened.proxyUrl);
    let pool: Pick<LiveProvider, "agent" | "gate" | "multiplex"> = { agent: undefined, gate: undefined, multiplex: false };
    if (!adapter.transport) {
      const prev = opts.previous?.providers.get(p.name);
      if (prev?.agent && prev.gate && poolKey(prev.config, env) === poolKey(config, env)) {
        pool = { agent: prev.agent, gate: prev.gate, multiplex: prev.multiplex };
        if (opts.poolWaitMs !== undefined) prev.gate.waitMs = opts.poolWaitMs;
        reused.add(prev.agent);
      } else {
        try {
          pool = buildPool(config, env, opts.poolWaitMs);
        } catch (err) {
          problems.push((err as Error).message);
          continue;
        }
      }
      if (p.tlsInsecureSkipVerify === true) warnings.push(...transportWarnings(p));
    }
    const live: LiveProvider = { config, adapter, ...pool, nextKey: keyRotation(keys), keyFor: stickyKeys(keys) };
    providerSources.set(live, source);
    providers.set(p.name, live);
  }
  const health = opts.health ?? new Map<string, TargetHealth>();
  const settings = {
    failureThreshold: table.settings.failureThreshold,
    cooldownMs: table.settings.cooldownMs,
    probeFailureThreshold: table.settings.probeFailureThreshold,
  };
  const prevSettings = opts.previous?.settings;
  const sameSettings =
    prevSettings !== undefined &&
    prevSettings.failureThreshold === settings.failureThreshold &&
    prevSettings.cooldownMs === settings.cooldownMs &&
    prevSettings.probeFailureThreshold === settings.probeFailureThreshold;
  const models = new Map<string, LiveModel>();
  for (const m of table.models) {
    // The very model checked before (an unchanged chunk) over the same providers: taken over as it is,
    // balancer state included, so a change to one model does not rebuild thousands.
    const same = sameSettings ? opts.previous?.models.get(m.name) : undefined;
    if (same?.config === m && same.targets.every((t) => providers.get(t.provider) === t.live)) {
      models.set(m.name, same);
      continue;
    }
    const strategy = getStrategy(m.strategy);
    if (!strategy) {
      problems.push(`model "${m.name}": unknown strategy "${m.strategy}" (known: ${strategyNames().join(", ")})`);
      continue;
    }
    const targets: LiveTarget[] = [];
    for (const t of m.targets) {
      const live = providers.get(t.provider);
      if (!live) {
        problems.push(`model "${m.name}": provider "${t.provider}" is not available`);
        continue;
      }
      const id = `${t.provider}/${t.upstreamModel}`;
      let h = health.get(id);
      if (!h) {
        h = new TargetHealth(settings);
        health.set(id, h);
      } else h.reconfigure(settings);
      targets.push({
        id,
        provider: t.provider,
        upstreamModel: t.upstreamModel,
        weight: t.weight,
        preferred: t.preferred,
        priority: t.priority,
        price: t.price,
        health: h,
        live,
        params: t.params,
      });
    }
    if (targets.length === 0) continue;
    try {
      const affinity = affinityOf(m, targets.length);
      const balancer = withAffinity(strategy.create(targets, m.strategyOptions, opts.rng ?? Math.random), targets, affinity);
      if (m.cache !== undefined) caches ??= new ResponseCaches();
      const cache = m.cache === undefined ? undefined : caches?.forModel(m.name, m.cache);
      models.set(m.name, { config: m, targets, balancer, affinity, cache });
    } catch (err) {
      problems.push(`model "${m.name}": strategy "${m.strategy}": ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) {
    for (const p of providers.values()) if (p.agent && !reused.has(p.agent)) void p.agent.close();
    throw new TableBuildError(problems);
  }
  // Keys in their own bucket: the live map the key follower keeps (updated per key, never rebuilt here).
  const clientKeys = table.keysBucket !== undefined && opts.liveKeys ? opts.liveKeys : new Map(table.clientKeys.map((k) => [k.sha256, k]));
  return Object.freeze({
    revision: table.revision,
    lineage: table.lineage,
    generatedAt: table.generatedAt,
    settings: table.settings,
    models,
    providers,
    clientKeys,
    authRequired: table.authRequired === true || clientKeys.size > 0,
    warnings,
    async close() {
      await Promise.all([...providers.values()].map((p) => p.agent?.close()));
    },
  });
}

/**
 * Strategies whose choice among equally good targets is arbitrary (spreading load): session affinity is
 * on by default for them. The others rank targets on purpose (cost, latency, order), so a conversation
 * follows their ranking unless the model sets `affinity` itself.
 */
const SPREADING = new Set(["round_robin", "weighted_round_robin", "least_connections"]);

/** Affinity in effect: off with one target or `specified_provider` (which pins); else as set, or the default. */
function affinityOf(m: TableModel, targets: number): AffinityMode {
  if (targets < 2 || m.strategy === "specified_provider") return "off";
  return m.affinity ?? (m.llmType === "chat" && SPREADING.has(m.strategy) ? "session" : "off");
}
