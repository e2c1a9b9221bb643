import { type ModelCounters, type OpenAIUsage, type Price, seedStatsCounters } from "@ai-router/contracts";
import type { KeyLimiter } from "../limits/key-limiter.js";
import { KeyLimits } from "../limits/key-limits.js";
import type { RequestFinished, RequestFinishedListener } from "../pipeline/request-finished.js";
import type { AccessLog } from "./access-log.js";

/** One accepted request's usage and outcome: logged as one line, and counted. */
export interface UsageRecord {
  requestId: string;
  model: string;
  provider: string | null;
  upstreamModel: string | null;
  endpoint: string;
  /** The front-door format the client spoke (`openai-chat`, `anthropic-messages`, `openai-responses`, `gemini`, `openai`). */
  ingress?: string;
  status: number;
  stream: boolean;
  attempts: number;
  latencyMs: number;
  /** Time spent waiting for a free upstream pool connection (ms, all attempts); absent when none. */
  queuedMs?: number;
  usage: OpenAIUsage | undefined;
  /** `usage` is the router's estimate (the upstream reported none). */
  usageEstimated?: boolean;
  /** The answer started (status 200) and then failed: counted as a failure. */
  broken?: boolean;
  key: string | null;
  price: Price | undefined;
  error?: string;
}

/** Cost in USD from a target's price table; undefined when it has none (never treated as free). */
export function costOf(usage: OpenAIUsage | undefined, price: Price | undefined): number | undefined {
  if (!usage || !price) return undefined;
  return costOfTokens(usage.prompt_tokens, usage.completion_tokens, usage.prompt_tokens_details?.cached_tokens ?? 0, usage.images, price);
}

/** The same from plain counts (cached input priced apart, images at `per_image`). */
export function costOfTokens(prompt: number, completion: number, cached: number, images: number | undefined, price: Price): number {
  const cachedPrice = price.cached_input_per_mtok ?? price.input_per_mtok;
  const imageCost = price.per_image !== undefined && images ? images * price.per_image : 0;
  return ((prompt - cached) * price.input_per_mtok + cached * cachedPrice + completion * price.output_per_mtok) / 1e6 + imageCost;
}

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

function addUsage(t: UsageTotals, usage: OpenAIUsage, cost: number | undefined): void {
  t.requests++;
  t.promptTokens += usage.prompt_tokens;
  t.completionTokens += usage.completion_tokens;
  if (cost !== undefined) {
    t.costUsd += cost;
    t.pricedTokens += usage.prompt_tokens + usage.completion_tokens;
  }
}

/** In-memory counters (the seed's `/v1/stats`) and the usage log line. */
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
   * Counts and logs one request, and charges its tokens and cost to the client key's limiter when the
   * key has limits. Returns the cost (undefined without usage or price).
   */
  record(r: UsageRecord, limiter?: KeyLimiter): number | undefined {
    let c = this.byModel.get(r.model);
    if (!c) {
      c = { requests: 0, failures: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, lastRequestTime: 0 };
      this.byModel.set(r.model, c);
    }
    const cost = costOf(r.usage, r.price);
    c.requests++;
    if (r.status >= 400 || r.broken) c.failures++;
    c.lastRequestTime = Date.now() / 1000;
    if (r.usage) {
      c.promptTokens += r.usage.prompt_tokens;
      c.completionTokens += r.usage.completion_tokens;
    }
    if (cost !== undefined) c.costUsd += cost;
    if (r.usage && r.provider !== null && r.upstreamModel !== null) this.addTargetUsage(r.provider, r.upstreamModel, r.usage, cost);
    this.accessLog?.write(r, cost);
    if (limiter !== undefined) {
      const u = r.usage;
      limiter.charge(Date.now(), u ? u.prompt_tokens + u.completion_tokens : 0, cost);
    }
    return cost;
  }

  /** Adds a listener told about every request when it ends (after it was counted and logged). */
  onFinished(listener: RequestFinishedListener): void {
    this.listeners.push(listener);
  }

  /**
   * The one point where a routed request ends: counted, logged, charged to the key's limiter, then
   * handed to the listeners (a usage ledger...). A listener's failure never fails the request.
   */
  finished(rec: RequestFinished, limiter?: KeyLimiter): void {
    const u: UsageRecord = {
      requestId: rec.requestId,
      model: rec.model,
      provider: rec.provider,
      upstreamModel: rec.upstreamModel,
      endpoint: rec.endpoint,
      ingress: rec.ingress,
      status: rec.status,
      stream: rec.stream,
      attempts: rec.attempts.length,
      latencyMs: rec.latencyMs,
      usage: rec.usage,
      key: rec.key,
      price: rec.price,
    };
    if (rec.error !== undefined) u.error = rec.error;
    if (rec.usageEstimated) u.usageEstimated = true;
    if (rec.outcome === "broken") u.broken = true;
    if (rec.queuedMs) u.queuedMs = rec.queuedMs;
    this.record(u, limiter);
    this.notify(rec);
  }

  private notify(rec: RequestFinished): void {
    for (const l of this.listeners) {
      try {
        l(rec);
      } catch {
        // A listener must never break the request path.
      }
    }
  }

  /**
   * A request refused before it was read (a client key over a limit): one access-log line, so operators
   * see 429s and who got them; model counters are untouched (the model is not known yet).
   */
  refused(requestId: string, endpoint: string, key: string, status: number, error: string, latencyMs: number): void {
    this.accessLog?.write(
      {
        requestId,
        model: "",
        provider: null,
        upstreamModel: null,
        endpoint,
        status,
        stream: false,
        attempts: 0,
        latencyMs,
        usage: undefined,
        key,
        price: undefined,
        error,
      },
      undefined,
    );
    if (this.listeners.length === 0) return;
    this.notify({
      requestId,
      endpoint,
      ingress: endpoint,
      model: "",
      key,
      stream: false,
      status,
      outcome: "refused",
      provider: null,
      upstreamModel: null,
      price: undefined,
      attempts: [],
      usage: undefined,
      latencyMs,
      ttfbMs: undefined,
      error,
    });
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
  private addTargetUsage(provider: string, upstreamModel: string, usage: OpenAIUsage, cost: number | undefined): void {
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
    addUsage(t, usage, cost);
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
