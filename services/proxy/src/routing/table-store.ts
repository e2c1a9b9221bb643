import type { ManualHealth, TargetHealth } from "@ai-router/balancing";
import { checkRoutingTable, type TableClientKey } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { Dispatcher } from "undici";
import { ResponseCaches } from "../response-cache/model-caches.js";
import { type BuildOptions, buildRuntimeTable, type RuntimeTable } from "./runtime-table.js";

export type ApplyResult = { ok: true; revision: number } | { ok: false; reason: string };

/**
 * Holds the table being served. A new table is validated and built off to the side, then swapped in
 * one assignment; an invalid, incompatible or older table is refused and the last good one kept.
 */
export class TableStore {
  private table: RuntimeTable | undefined;
  /** The served table came from the disk cache: the bucket's current table replaces it whatever its revision. */
  private provisional = false;
  /** Client keys followed one by one in their own bucket (cluster mode); tables that say `keysBucket` use it. */
  readonly liveKeys = new Map<string, TableClientKey>();
  /** Live health outlives tables so a swap never forgets what traffic taught us. */
  readonly health = new Map<string, TargetHealth>();
  /** Standalone: operators' verdicts per provider (`PUT /v1/providers/{name}/health`), kept across reloads. */
  readonly manualHealth = new Map<string, ManualHealth>();
  private readonly listeners = new Set<(t: RuntimeTable) => void>();

  /** The models' response caches: their memory outlives tables (standalone), or Redis (cluster mode). */
  readonly responseCaches: ResponseCaches;
  private readonly buildOptions: Omit<BuildOptions, "health" | "previous">;

  constructor(
    private readonly logger: Logger,
    buildOptions: Omit<BuildOptions, "health" | "previous"> = {},
  ) {
    this.responseCaches = buildOptions.responseCaches ?? new ResponseCaches({ logger });
    this.buildOptions = Object.assign({}, buildOptions, { responseCaches: this.responseCaches });
  }

  get current(): RuntimeTable | undefined {
    return this.table;
  }

  onSwap(fn: (t: RuntimeTable) => void): void {
    this.listeners.add(fn);
  }

  /**
   * Validates, builds and swaps in `input` (unknown: it may come off the wire). `provisional`: the table
   * comes from the disk cache, so the first one from the bucket replaces it whatever its revision.
   * `receivedAt` (`performance.now()`): when the table arrived, so the log's `ms` covers fetching it too.
   */
  apply(input: unknown, source: string, opts: { provisional?: boolean; receivedAt?: number } = {}): ApplyResult {
    const began = opts.receivedAt ?? performance.now();
    const prev = this.table;
    const checked = checkRoutingTable(input, prev && { revision: prev.revision, lineage: prev.lineage, provisional: this.provisional });
    if (!checked.ok) {
      // No reason: the same revision again.
      return checked.reason === undefined ? { ok: true, revision: prev!.revision } : this.refuse(source, checked.reason);
    }
    const next = checked.table;
    let built: RuntimeTable;
    try {
      built = buildRuntimeTable(
        next,
        Object.assign({}, this.buildOptions, { health: this.health, previous: prev ?? undefined, liveKeys: this.liveKeys }),
      );
    } catch (err) {
      return this.refuse(source, (err as Error).message);
    }
    this.table = built;
    this.responseCaches.retain(new Set([...built.models.values()].filter((m) => m.cache !== undefined).map((m) => m.config.name)));
    this.applyManualHealth(built);
    this.provisional = opts.provisional === true;
    if (prev) void closeUnused(prev, built);
    if (checked.newLineage && prev) {
      this.logger.warn(
        { revision: next.revision, lineage: next.lineage ?? null, previousRevision: prev.revision, previousLineage: prev.lineage ?? null },
        "routing table of a new lineage (a new deployment): replacing the served table whatever its revision",
      );
    }
    this.logger.info(
      {
        revision: next.revision,
        lineage: next.lineage,
        models: built.models.size,
        providers: built.providers.size,
        authRequired: built.authRequired,
        source,
        ms: Math.round(performance.now() - began),
      },
      "routing table applied",
    );
    for (const w of built.warnings) this.logger.warn({ revision: next.revision }, w);
    if (built.authRequired && built.clientKeys.size === 0 && next.keysBucket === undefined) {
      this.logger.warn(
        { revision: next.revision },
        "client authentication is required and no client key exists: every request is refused (401)",
      );
    }
    for (const fn of this.listeners) fn(built);
    return { ok: true, revision: next.revision };
  }

  /**
   * Sets (or with undefined clears) an operator's verdict on every target of a provider of the served
   * table (standalone; in cluster mode the verdict arrives in the table). False when it has no such provider.
   */
  setProviderHealth(provider: string, status: ManualHealth | undefined): boolean {
    if (!this.table?.providers.has(provider)) return false;
    if (status === undefined) this.manualHealth.delete(provider);
    else this.manualHealth.set(provider, status);
    this.applyManualHealth(this.table);
    return true;
  }

  /** The table's verdicts (cluster: published by the control plane) win over this process's own (standalone). */
  private applyManualHealth(t: RuntimeTable): void {
    for (const m of t.models.values()) {
      for (const target of m.targets) {
        const p = t.providers.get(target.provider);
        target.health.setManual(p?.config.healthOverride ?? this.manualHealth.get(target.provider));
      }
    }
  }

  private refuse(source: string, reason: string): ApplyResult {
    this.logger.warn(
      { source, reason, servedRevision: this.table?.revision ?? null },
      "routing table rejected; keeping the last good table",
    );
    return { ok: false, reason };
  }

  async close(): Promise<void> {
    await this.table?.close();
  }
}

/** Closes the old table's pools that the new one did not take over (after in-flight requests finish). */
async function closeUnused(prev: RuntimeTable, next: RuntimeTable): Promise<void> {
  const kept = new Set<Dispatcher>();
  for (const p of next.providers.values()) if (p.agent) kept.add(p.agent);
  for (const p of prev.providers.values()) if (p.agent && !kept.has(p.agent)) await p.agent.close().catch(() => {});
}
