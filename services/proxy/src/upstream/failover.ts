import type { RequestHints } from "@ai-router/balancing";
import { RouterError } from "@ai-router/errors";
import type { UpstreamError } from "@ai-router/providers";
import type { LiveModel, LiveTarget } from "../routing/runtime-table.js";

/** How one attempt at one target ended. */
export type AttemptOutcome =
  /** The client got its answer; `latencyMs` is the total (JSON) or time to first byte (stream). */
  | { kind: "served"; latencyMs: number }
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
}

/**
 * Tries a model's candidates in the balancer's order, at most `maxAttempts` of them, feeding every
 * outcome to the target's passive health. Retry policy lives here, not in the handlers.
 */
export async function withFailover(
  model: LiveModel,
  hints: RequestHints,
  maxAttempts: number,
  attempt: (target: LiveTarget, attemptNo: number) => Promise<AttemptOutcome>,
  isCancelled: () => boolean,
): Promise<FailoverResult> {
  const ordered = model.balancer.order(hints) as LiveTarget[];
  const limit = Math.min(maxAttempts, ordered.length);
  let last: AttemptOutcome | undefined;
  let target: LiveTarget | undefined;
  let i = 0;
  for (; i < limit; i++) {
    target = ordered[i] as LiveTarget;
    const h = target.health;
    h.begin(Date.now());
    if (i === 0) h.selections++;
    let outcome: AttemptOutcome;
    try {
      outcome = await attempt(target, i + 1);
    } catch (err) {
      outcome = { kind: "final", error: err instanceof RouterError ? err : new RouterError("internal_error", String(err), { cause: err }) };
    }
    last = outcome;
    if (outcome.kind === "served") {
      h.success(outcome.latencyMs, hints.stream);
      return { outcome, target, attempts: i + 1 };
    }
    if (outcome.kind === "retry" || outcome.kind === "broken") h.failure(Date.now());
    else h.neutral();
    if (outcome.kind !== "retry" || isCancelled()) return { outcome, target, attempts: i + 1 };
  }
  return {
    outcome: last ?? {
      kind: "final",
      error: new RouterError("no_available_provider", `No provider is available for model ${model.config.name}.`),
    },
    target,
    attempts: i,
  };
}
