import { healthDefaults } from "@ai-router/contracts";

/** An operator's verdict on a target (`PUT /v1/providers/{name}/health`); undefined = live health decides. */
export type ManualHealth = "unhealthy" | "degraded";

/** Passive health of one target, fed by every proxied request, plus the health worker's active probes; read by the strategies. */
export type BreakerState = "closed" | "open" | "half_open";

export interface HealthSettings {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker stays open before one trial request (doubled on each reopening). */
  cooldownMs: number;
  /** Error ratio over the window that opens the breaker (default 0.5). */
  errorRatio?: number;
  /** Number of recent outcomes the error ratio is computed over (default 20). */
  windowSize?: number;
  /** Outcomes needed in the window before the ratio can open the breaker (default 10). */
  minRequests?: number;
  /** Cap of the cooldown backoff, as a multiple of `cooldownMs` (default 8). */
  maxBackoff?: number;
  /** Failed active probes in a row that take the target out of rotation (default 2). */
  probeFailureThreshold?: number;
}

/** A probe verdict without a newer report lapses after this long (the worker may be gone). */
const DEFAULT_PROBE_STALE_MS = 3 * healthDefaults.intervalMs;

/** Weight of the newest sample in the moving averages. */
const ALPHA = 0.2;

const ewma = (prev: number | undefined, x: number) => (prev === undefined ? x : prev + ALPHA * (x - prev));
const round = (x: number | undefined, k = 10) => (x === undefined ? null : Math.round(x * k) / k);

/** Extra facts about a served request (tokens/s is measured only when the handler knows the output size). */
export interface ServedInfo {
  outputTokens?: number;
  /** Whole request duration in ms (stream included). */
  durationMs?: number;
}

/**
 * One target's health: a circuit breaker (closed -> open after N consecutive failures or an error ratio
 * over a window -> half-open single trial after a cooldown that doubles on each reopening), EWMA
 * latency / time to first token / tokens per second / success, and the in-flight count. All updates
 * are O(1) and allocation-free: this sits on the proxy's hot path.
 */
export class TargetHealth {
  inFlight = 0;
  requests = 0;
  failures = 0;
  consecutiveFailures = 0;
  /** EWMA of total latency (JSON) in ms; undefined until measured. */
  latencyMs: number | undefined;
  /** EWMA of time to first token (streams) in ms. */
  ttftMs: number | undefined;
  /** EWMA of output tokens per second (when known). */
  tokensPerSec: number | undefined;
  /** EWMA of success (1) / failure (0). */
  successRate = 1;
  /** Times this target was the first choice (all models). */
  selections = 0;
  /** Times the breaker opened. */
  breakerOpens = 0;
  /** Last time (ms) an outcome was recorded; 0 = never. */
  lastOutcomeAt = 0;
  /** Failed active probes in a row (health worker); 0 after a successful one. */
  probeFailures = 0;
  /** Latency of the last successful probe, ms (kept apart from request latency: a model list is not a completion). */
  probeLatencyMs: number | undefined;
  /** Last time (ms) a probe report arrived; 0 = never. */
  lastProbeAt = 0;
  /**
   * Set by an operator: "unhealthy" keeps the target out of rotation until put back; "degraded" keeps it
   * in rotation, reported degraded. Undefined = live health decides.
   */
  manual: ManualHealth | undefined;
  /** While `now` is before this, failed probes keep the target out of rotation like an open breaker; 0 = not down. */
  private probeDownUntil = 0;
  private openUntil = 0;
  /** 0 while neither the breaker nor the probes hold the target back: the hot path reads this one field. */
  private held = 0;
  private trialInFlight = false;
  private opens = 0;
  private readonly window: Uint8Array;
  private windowPos = 0;
  private windowCount = 0;
  private windowFailures = 0;
  private readonly bySelectingModel = new Map<string, number>();

  constructor(private settings: HealthSettings) {
    this.window = new Uint8Array(Math.max(1, settings.windowSize ?? 20));
  }

  /**
   * Takes new thresholds (a new routing table changed them); the state is kept. The error window keeps
   * its size: it is fixed when the target is created.
   */
  reconfigure(settings: HealthSettings): void {
    this.settings = settings;
  }

  /**
   * An operator takes the target out of rotation ("unhealthy"), marks it "degraded", or puts it back
   * (undefined). Putting it back also forgets the breaker and the probes' verdict: the operator says it
   * works, and live traffic judges it afresh. Setting the same value again changes nothing.
   */
  setManual(status: ManualHealth | undefined): void {
    if (status === this.manual) return;
    const wasDown = this.manual === "unhealthy";
    this.manual = status;
    if (wasDown && status !== "unhealthy") {
      this.probeDownUntil = 0;
      this.probeFailures = 0;
      this.close();
    }
    this.held = this.openUntil !== 0 || this.probeDownUntil !== 0 || this.manual === "unhealthy" ? 1 : 0;
  }

  /** Breaker state at `now` (defaults to the wall clock). */
  breakerAt(now: number): BreakerState {
    if (this.held === 0) return "closed";
    if (this.manual === "unhealthy") return "open";
    if (now < this.probeDownUntil) return "open";
    if (this.openUntil === 0) return "closed";
    return now >= this.openUntil ? "half_open" : "open";
  }

  get breaker(): BreakerState {
    return this.breakerAt(Date.now());
  }

  /** Error rate (EWMA), 0..1. */
  get errorRate(): number {
    return 1 - this.successRate;
  }

  /** Error ratio over the recent window, 0..1 (0 with no outcomes). */
  get windowErrorRatio(): number {
    return this.windowCount === 0 ? 0 : this.windowFailures / this.windowCount;
  }

  /** True when a request may be sent now (closed, or half-open with no trial running) and probes do not say it is down. */
  available(now: number): boolean {
    if (this.held === 0) return true;
    if (this.manual === "unhealthy") return false;
    if (now < this.probeDownUntil) return false;
    if (this.openUntil === 0) return true;
    return now >= this.openUntil && !this.trialInFlight;
  }

  /** Expected latency for a request kind: TTFT for streams, total for JSON; undefined if never measured. */
  expectedLatency(stream: boolean): number | undefined {
    return stream ? (this.ttftMs ?? this.latencyMs) : (this.latencyMs ?? this.ttftMs);
  }

  /** Counts a first choice of this target by `model`. */
  select(model: string): void {
    this.selections++;
    this.bySelectingModel.set(model, (this.bySelectingModel.get(model) ?? 0) + 1);
  }

  /** First choices of this target by one model. */
  selectionsBy(model: string): number {
    return this.bySelectingModel.get(model) ?? 0;
  }

  begin(now: number): void {
    this.inFlight++;
    this.requests++;
    if (this.openUntil !== 0 && now >= this.openUntil) this.trialInFlight = true;
  }

  success(latencyMs: number, stream: boolean, info?: ServedInfo, now = Date.now()): void {
    if (this.inFlight > 0) this.inFlight--;
    this.recordSuccess(latencyMs, stream, info, now);
  }

  failure(now: number): void {
    if (this.inFlight > 0) this.inFlight--;
    this.recordFailure(now);
  }

  /** A finished request that says nothing about the target's health (e.g. a client 4xx). */
  neutral(): void {
    if (this.inFlight > 0) this.inFlight--;
    if (this.trialInFlight) this.close();
  }

  /**
   * An active probe's result (health worker). `probeFailureThreshold` failures in a row take the target
   * out of rotation (treated as an open breaker) until a probe succeeds, or until no report has come for
   * `staleAfterMs` (a stopped worker must not keep a provider out forever). A success only lifts the
   * probes' verdict: it never closes a breaker opened by live traffic, which still needs its trial
   * request. Probes leave the request counters, the error window and the latency averages alone.
   */
  probe(ok: boolean, latencyMs: number, now: number, staleAfterMs = DEFAULT_PROBE_STALE_MS): void {
    this.lastProbeAt = now;
    if (ok) {
      this.probeFailures = 0;
      this.probeDownUntil = 0;
      this.probeLatencyMs = latencyMs;
      this.held = this.openUntil === 0 && this.manual !== "unhealthy" ? 0 : 1;
      return;
    }
    this.probeFailures++;
    if (this.probeFailures >= (this.settings.probeFailureThreshold ?? healthDefaults.failureThreshold)) {
      this.probeDownUntil = now + staleAfterMs;
      this.held = 1;
    }
  }

  /** True while failed probes keep this target out of rotation. */
  probeDownAt(now: number): boolean {
    return now < this.probeDownUntil;
  }

  private recordSuccess(latencyMs: number, stream: boolean, info: ServedInfo | undefined, now: number): void {
    this.lastOutcomeAt = now;
    this.consecutiveFailures = 0;
    if (this.openUntil !== 0) this.close();
    this.push(0);
    this.successRate += ALPHA * (1 - this.successRate);
    if (stream) this.ttftMs = ewma(this.ttftMs, latencyMs);
    else this.latencyMs = ewma(this.latencyMs, latencyMs);
    if (info?.outputTokens && info.durationMs && info.durationMs > 0) {
      this.tokensPerSec = ewma(this.tokensPerSec, (info.outputTokens * 1000) / info.durationMs);
    }
  }

  private recordFailure(now: number): void {
    this.lastOutcomeAt = now;
    this.failures++;
    this.consecutiveFailures++;
    this.successRate += ALPHA * (0 - this.successRate);
    this.push(1);
    const wasTrial = this.trialInFlight;
    this.trialInFlight = false;
    const s = this.settings;
    const ratioTrips = this.windowCount >= (s.minRequests ?? 10) && this.windowErrorRatio >= (s.errorRatio ?? 0.5);
    if (wasTrial || this.consecutiveFailures >= s.failureThreshold || (this.openUntil === 0 && ratioTrips)) {
      // Backoff: each reopening without a success in between doubles the cooldown, up to maxBackoff x.
      const factor = Math.min(2 ** this.opens, s.maxBackoff ?? 8);
      this.opens++;
      this.breakerOpens++;
      this.openUntil = now + s.cooldownMs * factor;
      this.held = 1;
    }
  }

  private close(): void {
    this.trialInFlight = false;
    this.openUntil = 0;
    this.held = this.probeDownUntil === 0 && this.manual !== "unhealthy" ? 0 : 1;
    this.opens = 0;
    this.consecutiveFailures = 0;
    // A fresh start: old failures must not re-trip the ratio right after recovery.
    this.windowCount = 0;
    this.windowFailures = 0;
    this.windowPos = 0;
  }

  private push(failed: 0 | 1): void {
    const w = this.window;
    if (this.windowCount === w.length) this.windowFailures -= w[this.windowPos] as number;
    else this.windowCount++;
    w[this.windowPos] = failed;
    this.windowFailures += failed;
    this.windowPos = (this.windowPos + 1) % w.length;
  }

  /** A JSON-ready view for the statistics endpoint. */
  snapshot(now = Date.now()) {
    return {
      breaker: this.breakerAt(now),
      available: this.available(now),
      in_flight: this.inFlight,
      requests: this.requests,
      failures: this.failures,
      consecutive_failures: this.consecutiveFailures,
      breaker_opens: this.breakerOpens,
      reopens_at: this.openUntil === 0 ? null : new Date(this.openUntil).toISOString(),
      success_rate: Math.round(this.successRate * 1000) / 1000,
      window_error_ratio: Math.round(this.windowErrorRatio * 1000) / 1000,
      latency_ms: round(this.latencyMs),
      ttft_ms: round(this.ttftMs),
      tokens_per_s: round(this.tokensPerSec),
      selections: this.selections,
      probe_failures: this.probeFailures,
      probe_down: this.probeDownAt(now),
      probe_latency_ms: round(this.probeLatencyMs),
      last_probe_at: this.lastProbeAt === 0 ? null : new Date(this.lastProbeAt).toISOString(),
      manual_health: this.manual ?? null,
    };
  }
}
