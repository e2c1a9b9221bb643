/** Passive health of one target, fed by every proxied request; read by the strategies. */
export type BreakerState = "closed" | "open" | "half_open";

export interface HealthSettings {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker stays open before one trial request. */
  cooldownMs: number;
}

const ALPHA = 0.2;

export class TargetHealth {
  inFlight = 0;
  requests = 0;
  failures = 0;
  consecutiveFailures = 0;
  /** EWMA of total latency (JSON) in ms; undefined until measured. */
  latencyMs: number | undefined;
  /** EWMA of time to first token (streams) in ms. */
  ttftMs: number | undefined;
  /** EWMA of success (1) / failure (0). */
  successRate = 1;
  selections = 0;
  private openUntil = 0;
  private trialInFlight = false;
  private opens = 0;

  constructor(private readonly settings: HealthSettings) {}

  get breaker(): BreakerState {
    if (this.openUntil === 0) return "closed";
    return Date.now() >= this.openUntil ? "half_open" : "open";
  }

  /** True when a request may be sent now (closed, or half-open with no trial running). */
  available(now: number): boolean {
    if (this.openUntil === 0) return true;
    return now >= this.openUntil && !this.trialInFlight;
  }

  begin(now: number): void {
    this.inFlight++;
    this.requests++;
    if (this.openUntil !== 0 && now >= this.openUntil) this.trialInFlight = true;
  }

  success(latencyMs: number, stream: boolean): void {
    this.inFlight--;
    this.consecutiveFailures = 0;
    this.openUntil = 0;
    this.opens = 0;
    this.trialInFlight = false;
    this.successRate += ALPHA * (1 - this.successRate);
    if (stream) this.ttftMs = this.ttftMs === undefined ? latencyMs : this.ttftMs + ALPHA * (latencyMs - this.ttftMs);
    else this.latencyMs = this.latencyMs === undefined ? latencyMs : this.latencyMs + ALPHA * (latencyMs - this.latencyMs);
  }

  failure(now: number): void {
    this.inFlight--;
    this.failures++;
    this.consecutiveFailures++;
    this.successRate += ALPHA * (0 - this.successRate);
    const wasTrial = this.trialInFlight;
    this.trialInFlight = false;
    if (wasTrial || this.consecutiveFailures >= this.settings.failureThreshold) {
      // Backoff: each reopening doubles the cooldown, up to 8x.
      const factor = 2 ** Math.min(this.opens, 3);
      this.opens++;
      this.openUntil = now + this.settings.cooldownMs * factor;
    }
  }

  /** A finished request that says nothing about the target's health (e.g. a client 4xx). */
  neutral(): void {
    this.inFlight--;
    if (this.trialInFlight) {
      this.trialInFlight = false;
      this.openUntil = 0;
      this.opens = 0;
      this.consecutiveFailures = 0;
    }
  }

  snapshot() {
    return {
      breaker: this.breaker,
      in_flight: this.inFlight,
      requests: this.requests,
      failures: this.failures,
      consecutive_failures: this.consecutiveFailures,
      success_rate: Math.round(this.successRate * 1000) / 1000,
      latency_ms: this.latencyMs === undefined ? null : Math.round(this.latencyMs * 10) / 10,
      ttft_ms: this.ttftMs === undefined ? null : Math.round(this.ttftMs * 10) / 10,
      selections: this.selections,
    };
  }
}
