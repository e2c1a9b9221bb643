import { type ModelCounters, seedStatsCounters } from "@ai-router/contracts";
import type { KeyLimiter } from "../limits/key-limiter.js";
import { KeyLimits } from "../limits/key-limits.js";
import type { AccessLog } from "./access-log.js";
import type { RequestFinishedListener, RequestRecord } from "./request-record.js";

/** Token and cost totals of the requests one provider, or one of its targets, served (the last target tried). */
export interface UsageTotals {
  /** Requests that reported usage. */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** USD, from the serving target's price; requests without a price add nothing. */
  costUsd: number;
  /** Tokens of the priced requests only: the denominator of a cost per 1k tokens. */
  pricedTokens: number;
}

export const newTotals = (): UsageTotals => ({ requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, pricedTokens: 0 });

/** Adds `b` into `a` (a provider's totals are its targets' summed when asked, never kept twice). */
export function addTotals(a: UsageTotals, b: UsageTotals): void {
  a.requests += b.requests;
  a.promptTokens += b.promptTokens;
  a.completionTokens += b.completionTokens;
  a.costUsd += b.costUsd;
  a.pricedTokens += b.pricedTokens;
}

function addUsage(t: UsageTotals, r: RequestRecord): void {
  t.requests++;
  t.promptTokens += r.promptTokens;
  t.completionTokens += r.completionTokens;
  if (r.costUsd !== null) {
    t.costUsd += r.costUsd;
    t.pricedTokens += r.promptTokens + r.completionTokens;
  }
}

/** The request has tokens: reported by the upstream or estimated. */
const hasTokens = (r: RequestRecord) => r.usage !== undefined || r.usageEstimated === true;

/** In-memory counters (the seed's `/v1/stats`), the access log and the request-finished listeners: sinks of the request record. */
export class UsageRecorder {
  readonly byModel = new Map<string, ModelCounters>();
  /**
   * Per provider, then per upstream model: what the provider endpoints report. Nested maps so the hot
   * path builds no key string; `reset()` leaves them, like the targets' health counters they sit beside.
   */
  readonly byTarget = new Map<string, Map<string, UsageTotals>>();
  /** Limits and cumulative usage of the keys that have limits (never zeroed by `reset()`). */
  readonly keyLimits = new KeyLimits();
  /** Model lookups answered by the routing table (hits) or not (misses): `/v1/models/cache/stats`. */
  readonly modelLookups = { hits: 0, misses: 0, since: Date.now() };
  private readonly started = Date.now();
  private readonly listeners: RequestFinishedListener[] = [];

  /**
   * @param accessLog where one line a request goes; none = no access log.
   */
  constructor(private readonly accessLog: AccessLog | undefined) {}

  /**
   * The one point where a routed or refused request ends (its record finished): a routed one is counted
   * and charged to the key's limiter (when the key has limits), both are logged, then the listeners are
   * told (a usage ledger...). A listener's failure never fails the request.
   */
  finished(r: RequestRecord, limiter?: KeyLimiter): void {
    if (r.outcome !== "refused") this.count(r, limiter);
    this.accessLog?.write(r);
    for (const l of this.listeners) {
      try {
        l(r);
      } catch {
        // A listener must never break the request path.
      }
    }
  }

  /** Adds a listener told about every routed or refused request when it ends (after it was counted and logged). */
  onFinished(listener: RequestFinishedListener): void {
    this.listeners.push(listener);
  }

  /** Counts one routed request for its model and serving target, and charges the key's limiter. */
  private count(r: RequestRecord, limiter: KeyLimiter | undefined): void {
    const model = r.model ?? "";
    let c = this.byModel.get(model);
    if (!c) {
      c = { requests: 0, failures: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, lastRequestTime: 0 };
      this.byModel.set(model, c);
    }
    c.requests++;
    if (r.status >= 400 || r.outcome === "broken") c.failures++;
    c.lastRequestTime = Date.now() / 1000;
    c.promptTokens += r.promptTokens;
    c.completionTokens += r.completionTokens;
    if (r.costUsd !== null) c.costUsd += r.costUsd;
    if (hasTokens(r) && r.provider !== null && r.upstreamModel !== null) this.addTargetUsage(r.provider, r.upstreamModel, r);
    if (limiter !== undefined) limiter.charge(Date.now(), r.promptTokens + r.completionTokens, r.costUsd ?? undefined);
  }

  /** Totals of one provider (its targets' summed), or undefined before it served a request with usage. */
  providerUsage(provider: string): UsageTotals | undefined {
    const targets = this.byTarget.get(provider);
    if (!targets) return undefined;
    const sum = newTotals();
    for (const t of targets.values()) addTotals(sum, t);
    return sum;
  }

  /** Totals of one target (provider, upstream model). */
  targetUsage(provider: string, upstreamModel: string): UsageTotals | undefined {
    return this.byTarget.get(provider)?.get(upstreamModel);
  }

  /** Two Map lookups and a few additions; allocates only the first time a target is seen. */
  private addTargetUsage(provider: string, upstreamModel: string, r: RequestRecord): void {
    let p = this.byTarget.get(provider);
    if (!p) {
      p = new Map();
      this.byTarget.set(provider, p);
    }
    let t = p.get(upstreamModel);
    if (!t) {
      t = newTotals();
      p.set(upstreamModel, t);
    }
    addUsage(t, r);
  }

  reset(): void {
    this.byModel.clear();
    this.modelLookups.hits = 0;
    this.modelLookups.misses = 0;
    this.modelLookups.since = Date.now();
  }

  /** The seed's `/v1/stats` shape plus token and cost totals. */
  snapshot(availableModels: string[], onlyModels?: readonly string[]) {
    const counters = onlyModels ? [...this.byModel].filter(([m]) => onlyModels.includes(m)) : this.byModel;
    return {
      timestamp: new Date().toISOString(),
      use_database: false,
      uptime_s: Math.round((Date.now() - this.started) / 1000),
      stats: Object.assign(seedStatsCounters(counters), { available_models: availableModels }),
    };
  }
}
