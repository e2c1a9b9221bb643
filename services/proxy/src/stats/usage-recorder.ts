import type { OpenAIUsage, Price } from "@ai-router/contracts";
import type { AccessLog } from "./access-log.js";

/** One accepted request's usage and outcome: logged as one line, and counted. */
export interface UsageRecord {
  requestId: string;
  model: string;
  provider: string | null;
  upstreamModel: string | null;
  endpoint: string;
  status: number;
  stream: boolean;
  attempts: number;
  latencyMs: number;
  usage: OpenAIUsage | undefined;
  key: string | null;
  price: Price | undefined;
  error?: string;
}

/** Cost in USD from a target's price table; undefined when it has none (never treated as free). */
export function costOf(usage: OpenAIUsage | undefined, price: Price | undefined): number | undefined {
  if (!usage || !price) return undefined;
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const cachedPrice = price.cached_input_per_mtok ?? price.input_per_mtok;
  return (
    ((usage.prompt_tokens - cached) * price.input_per_mtok + cached * cachedPrice + usage.completion_tokens * price.output_per_mtok) / 1e6
  );
}

interface ModelCounters {
  requests: number;
  failures: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  lastRequestTime: number;
}

/** In-memory counters (the seed's `/v1/stats`) and the usage log line. */
export class UsageRecorder {
  readonly byModel = new Map<string, ModelCounters>();
  private readonly started = Date.now();

  /**
   * @param accessLog where one line a request goes; none = no access log.
   */
  constructor(private readonly accessLog: AccessLog | undefined) {}

  record(r: UsageRecord): void {
    let c = this.byModel.get(r.model);
    if (!c) {
      c = { requests: 0, failures: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, lastRequestTime: 0 };
      this.byModel.set(r.model, c);
    }
    const cost = costOf(r.usage, r.price);
    c.requests++;
    if (r.status >= 400) c.failures++;
    c.lastRequestTime = Date.now() / 1000;
    if (r.usage) {
      c.promptTokens += r.usage.prompt_tokens;
      c.completionTokens += r.usage.completion_tokens;
    }
    if (cost !== undefined) c.costUsd += cost;
    this.accessLog?.write(r, cost);
  }

  reset(): void {
    this.byModel.clear();
  }

  /** The seed's `/v1/stats` shape plus token and cost totals. */
  snapshot(availableModels: string[]) {
    const pick = <K extends keyof ModelCounters>(k: K) => Object.fromEntries([...this.byModel].map(([m, c]) => [m, c[k]]));
    return {
      timestamp: new Date().toISOString(),
      use_database: false,
      uptime_s: Math.round((Date.now() - this.started) / 1000),
      stats: {
        request_counters: pick("requests"),
        failure_counters: pick("failures"),
        last_request_time: pick("lastRequestTime"),
        prompt_tokens: pick("promptTokens"),
        completion_tokens: pick("completionTokens"),
        cost_usd: pick("costUsd"),
        available_models: availableModels,
      },
    };
  }
}
