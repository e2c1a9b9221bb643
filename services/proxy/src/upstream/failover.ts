import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { RequestHints } from "@ai-router/balancing";
import { RouterError } from "@ai-router/errors";
import type { UpstreamError } from "@ai-router/providers";
import { type AttemptRecord, errorCodeOf } from "../record/request-record.js";
import type { LiveModel, LiveTarget } from "../routing/runtime-table.js";

/** How one attempt at one target ended. */
export type AttemptOutcome =
  /**
   * The client got its answer; `latencyMs` is the total (JSON) or time to first byte (stream).
   * `outputTokens`, when the handler knows it, feeds the target's tokens/s.
   */
  | { kind: "served"; latencyMs: number; outputTokens?: number }
  /** Retryable failure before any byte reached the client: try the next candidate. */
  | { kind: "retry"; error: RouterError | UpstreamError }
  /** A failure the client must see as is (e.g. a 400 from the provider); not the target's fault. */
  | { kind: "final"; error: RouterError | UpstreamError }
  /**
   * The target failed after bytes reached the client: no failover is possible, unless `resume` (the
   * model continues broken streams and this one may be continued: the run goes on, see continuation/).
   */
  | { kind: "broken"; error: RouterError | UpstreamError; resume?: boolean };

export interface FailoverResult {
  outcome: AttemptOutcome;
  target: LiveTarget | undefined;
  attempts: number;
  /** Every attempt in order: which target, how it ended, how long it took. */
  chain: AttemptRecord[];
}

/** The request/response pair, for the `x-router-decision` debug header (a handler passes its context). */
export interface DecisionSink {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The caller's key and table: with client auth on, only a key with `debug: true` gets the decision. */
  readonly key?: { debug?: boolean | undefined } | undefined;
  readonly table?: { authRequired: boolean };
}

/** The routing decision shows the candidates' providers, models and health: not for every key holder. */
const mayDebug = (http: DecisionSink): boolean =>
  http.req.headers[DEBUG_HEADER] === "1" && (!http.table?.authRequired || http.key?.debug === true);

/** Header a client sends (`x-router-debug: 1`) to get `x-router-decision` back. */
export const DEBUG_HEADER = "x-router-debug";
export const DECISION_HEADER = "x-router-decision";

/**
 * One request's way through a model's candidates: the balancer's order, at most `maxAttempts` of them,
 * every outcome fed to the target's passive health. Retry policy lives here, not in the handlers. With
 * `http` given and the client asking for it, the balancer's reasoning goes out in `x-router-decision`.
 * The caller runs the attempts in its own loop (one async frame a request, not two), stopping when
 * `settle` says the run is over:
 * `for (let t = run.next(); t; t = run.next()) if (run.settle(await attempt(t, run.attempts), cancelled)) break;`
 */
export class FailoverRun {
  private readonly ordered: LiveTarget[];
  private readonly decision: string | undefined;
  private readonly limit: number;
  private readonly stream: boolean;
  /** Attempts started so far (the current one's number while it runs). */
  attempts = 0;
  private target: LiveTarget | undefined;
  /** Index in `ordered` of the next candidate (targets skipped by `next`'s filter are passed over). */
  private pos = 0;
  private last: AttemptOutcome | undefined;
  private started = 0;
  /** Every attempt in order. */
  private readonly chain: AttemptRecord[] = [];

  constructor(
    private readonly model: LiveModel,
    hints: RequestHints,
    maxAttempts: number,
    private readonly http?: DecisionSink,
  ) {
    this.stream = hints.stream;
    this.ordered = withoutManualDown(model.balancer.order(hints) as LiveTarget[]);
    this.decision = http && mayDebug(http) ? explainDecision(model, this.ordered, hints) : undefined;
    this.limit = Math.min(maxAttempts, this.ordered.length);
  }

  /**
   * The next target to try, or undefined when the candidates are used up. With `accept`, candidates it
   * refuses are passed over without an attempt (a continuation needs a target that takes a prefill).
   */
  next(accept?: (t: LiveTarget) => boolean): LiveTarget | undefined {
    if (this.attempts >= this.limit) return undefined;
    let i = this.pos;
    if (accept) while (i < this.ordered.length && !accept(this.ordered[i] as LiveTarget)) i++;
    if (i >= this.ordered.length) return undefined;
    this.pos = i + 1;
    this.attempts++;
    const target = this.ordered[i] as LiveTarget;
    this.target = target;
    const http = this.http;
    if (this.decision !== undefined && http && !http.res.headersSent) {
      const failedOver = i === 0 ? "" : `; attempt ${i + 1} on ${target.id} after ${this.ordered[i - 1]?.id} failed`;
      http.res.setHeader(DECISION_HEADER, this.decision + failedOver);
    }
    this.started = performance.now();
    target.health.begin(Date.now());
    if (i === 0) target.health.select(this.model.config.name);
    return target;
  }

  /** Records how the current attempt ended; true when the run is over (served, final, or cancelled). */
  settle(outcome: AttemptOutcome, cancelled: boolean): boolean {
    const target = this.target as LiveTarget;
    const h = target.health;
    const durationMs = performance.now() - this.started;
    this.last = outcome;
    const failed = outcome.kind === "served" ? undefined : outcome.error;
    this.chain.push({
      provider: target.provider,
      upstreamModel: target.upstreamModel,
      outcome: outcome.kind,
      status: failed ? failed.status : null,
      error: failed ? failed.message : null,
      errorCode: failed ? (cancelled ? "client_closed_request" : errorCodeOf(failed)) : null,
      durationMs,
    });
    if (outcome.kind === "served") {
      const info = outcome.outputTokens === undefined ? undefined : { outputTokens: outcome.outputTokens, durationMs };
      h.success(outcome.latencyMs, this.stream, info);
      return true;
    }
    if (outcome.kind === "retry" || outcome.kind === "broken") h.failure(Date.now());
    else h.neutral();
    if (outcome.kind === "broken" && outcome.resume === true) return cancelled;
    return outcome.kind !== "retry" || cancelled;
  }

  /** How the run ended: the last outcome (or "no provider" when nothing was tried), its target, the chain. */
  result(): FailoverResult {
    return {
      outcome: this.last ?? {
        kind: "final",
        error: new RouterError("no_available_provider", `No provider is available for model ${this.model.config.name}.`),
      },
      target: this.target,
      attempts: this.attempts,
      chain: this.chain,
    };
  }
}

/**
 * Targets an operator took out of rotation (`PUT /v1/providers/{name}/health`) get no traffic at all,
 * not even as a last resort (an open breaker's target still may). Copies only when one is there.
 */
function withoutManualDown(ordered: LiveTarget[]): LiveTarget[] {
  for (let i = 0; i < ordered.length; i++) {
    if ((ordered[i] as LiveTarget).health.manual === "unhealthy") {
      const kept: LiveTarget[] = [];
      for (const t of ordered) if (t.health.manual !== "unhealthy") kept.push(t);
      return kept;
    }
  }
  return ordered;
}

/** One header-safe line: strategy, its reason, the try order, and targets skipped for an open breaker. */
export function explainDecision(model: LiveModel, ordered: readonly LiveTarget[], hints: RequestHints): string {
  const parts = [`strategy=${model.config.strategy}`];
  try {
    const why = model.balancer.explain?.(ordered, hints);
    if (why) parts.push(`reason=${why}`);
  } catch {
    // An explanation must never fail a request.
  }
  parts.push(`order=${ordered.map((t) => t.id).join(",")}`);
  const down = ordered.filter((t) => !t.health.available(hints.now)).map((t) => `${t.id}(${t.health.breakerAt(hints.now)})`);
  if (down.length > 0) parts.push(`breaker_open=${down.join(",")}`);
  // Header values must be visible ASCII; provider and model names could carry anything.
  return parts
    .join("; ")
    .replace(/[^\x20-\x7e]/g, "?")
    .slice(0, 1024);
}
