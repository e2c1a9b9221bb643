import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { RequestHints } from "@ai-router/balancing";
import { RouterError } from "@ai-router/errors";
import type { UpstreamError } from "@ai-router/providers";
import type { AttemptRecord } from "../pipeline/request-finished.js";
import type { LiveModel, LiveTarget } from "../routing/runtime-table.js";
import { errorCodeOf } from "../usage/usage-draft.js";

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
  /** The target failed after bytes reached the client: no failover is possible. */
  | { kind: "broken"; error: RouterError | UpstreamError };

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
 * Tries a model's candidates in the balancer's order, at most `maxAttempts` of them, feeding every
 * outcome to the target's passive health. Retry policy lives here, not in the handlers. With `http`
 * given and the client asking for it, the balancer's reasoning goes out in `x-router-decision`.
 */
export async function withFailover(
  model: LiveModel,
  hints: RequestHints,
  maxAttempts: number,
  attempt: (target: LiveTarget, attemptNo: number) => Promise<AttemptOutcome>,
  isCancelled: () => boolean,
  http?: DecisionSink,
): Promise<FailoverResult> {
  const ordered = model.balancer.order(hints) as LiveTarget[];
  const decision = http && mayDebug(http) ? explainDecision(model, ordered, hints) : undefined;
  const limit = Math.min(maxAttempts, ordered.length);
  let last: AttemptOutcome | undefined;
  let target: LiveTarget | undefined;
  const chain: AttemptRecord[] = [];
  let i = 0;
  for (; i < limit; i++) {
    target = ordered[i] as LiveTarget;
    const h = target.health;
    if (decision !== undefined && http && !http.res.headersSent) {
      const failedOver = i === 0 ? "" : `; attempt ${i + 1} on ${target.id} after ${ordered[i - 1]?.id} failed`;
      http.res.setHeader(DECISION_HEADER, decision + failedOver);
    }
    const started = performance.now();
    h.begin(Date.now());
    if (i === 0) h.select(model.config.name);
    let outcome: AttemptOutcome;
    try {
      outcome = await attempt(target, i + 1);
    } catch (err) {
      outcome = { kind: "final", error: err instanceof RouterError ? err : new RouterError("internal_error", String(err), { cause: err }) };
    }
    last = outcome;
    const failed = outcome.kind === "served" ? undefined : outcome.error;
    chain.push({
      provider: target.provider,
      upstreamModel: target.upstreamModel,
      outcome: outcome.kind,
      status: failed ? failed.status : null,
      error: failed ? failed.message : null,
      errorCode: failed ? (isCancelled() ? "client_closed_request" : errorCodeOf(failed)) : null,
      durationMs: performance.now() - started,
    });
    if (outcome.kind === "served") {
      const info =
        outcome.outputTokens === undefined ? undefined : { outputTokens: outcome.outputTokens, durationMs: performance.now() - started };
      h.success(outcome.latencyMs, hints.stream, info);
      return { outcome, target, attempts: i + 1, chain };
    }
    if (outcome.kind === "retry" || outcome.kind === "broken") h.failure(Date.now());
    else h.neutral();
    if (outcome.kind !== "retry" || isCancelled()) return { outcome, target, attempts: i + 1, chain };
  }
  return {
    outcome: last ?? {
      kind: "final",
      error: new RouterError("no_available_provider", `No provider is available for model ${model.config.name}.`),
    },
    target,
    attempts: i,
    chain,
  };
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
