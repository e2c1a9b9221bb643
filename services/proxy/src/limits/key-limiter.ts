import type { KeyCounters, TableClientKey } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { SlidingWindow } from "./sliding-window.js";

/** A refused request: the error and the headers that go with it (OpenAI's `x-ratelimit-*`, `retry-after`). */
export interface LimitRefusal {
  error: RouterError;
  headers: Record<string, string>;
}

/** Whether a key has any limit: keys without one never reach a limiter. */
export const hasLimits = (k: TableClientKey): boolean => k.rpmLimit !== undefined || k.tpmLimit !== undefined || k.budgetUsd !== undefined;

/** OpenAI's reset format: `20ms`, `12s`, `1m30s`. */
export function resetDuration(ms: number): string {
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const s = Math.ceil(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

function windowHeaders(h: Record<string, string>, kind: "requests" | "tokens", limit: number, w: SlidingWindow, now: number): void {
  h[`x-ratelimit-limit-${kind}`] = String(limit);
  h[`x-ratelimit-remaining-${kind}`] = String(Math.max(0, limit - w.total(now)));
  h[`x-ratelimit-reset-${kind}`] = resetDuration(w.msUntilBelow(now, 1));
}

const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/**
 * The limits of one client key and what it used: requests and tokens in sliding 60 s windows, and
 * spend. The state outlives routing tables (a new table only changes the limits and the spend
 * baseline), so a table swap never resets a window. Everything is in memory and O(1) per request.
 */
export class KeyLimiter {
  rpmLimit: number | undefined;
  tpmLimit: number | undefined;
  budgetUsd: number | undefined;
  /** Spend of the key on all replicas when the current table was compiled (0 in standalone mode). */
  private baselineUsd = 0;
  /** This replica's spend when the baseline was taken. */
  private localAtTable = 0;
  /** Unix ms the baseline was measured at (the table's compile time, or a spend update's). */
  private baselineAt = 0;
  private requests: SlidingWindow | undefined;
  private tokens: SlidingWindow | undefined;
  /** Cumulative since this process started: what the stats reporter sends. */
  readonly counters: KeyCounters = { spentUsd: 0, tokens: 0, requests: 0 };
  /** The most the requests in flight can still cost (local budgets: standalone, or cluster without Redis). */
  private reservedUsd = 0;

  constructor(
    readonly sha256: string,
    public name: string,
  ) {}

  /**
   * Takes a table's limits and spend baseline (called when the table is swapped in). `tableAt` is the
   * table's compile time: a spend update measured after it is newer than the table's spend and is kept.
   */
  configure(k: TableClientKey, tableAt = 0): void {
    this.name = k.name;
    this.rpmLimit = k.rpmLimit;
    this.tpmLimit = k.tpmLimit;
    this.budgetUsd = k.budgetUsd;
    if (k.spentUsd === undefined) {
      // No cluster spend (standalone): the budget is checked against everything this process spent.
      this.baselineUsd = 0;
      this.localAtTable = 0;
    } else if (tableAt >= this.baselineAt) this.setBaseline(k.spentUsd, tableAt);
    if (this.rpmLimit !== undefined) this.requests ??= new SlidingWindow();
    if (this.tpmLimit !== undefined) this.tokens ??= new SlidingWindow();
  }

  /**
   * A spend update: what the cluster spent on this key apart from this replica's own spend that the
   * control plane has counted (`othersUsd`); this replica's whole cumulative spend is added to it, so
   * nothing it spent is missed or counted twice, however its reports and the update interleave.
   * Ignored when measured before the baseline held.
   */
  applySpend(othersUsd: number, at: number): void {
    if (at <= this.baselineAt) return;
    this.baselineUsd = othersUsd;
    this.baselineAt = at;
    this.localAtTable = 0;
  }

  private setBaseline(spentUsd: number, at: number): void {
    this.baselineUsd = spentUsd;
    this.baselineAt = at;
    this.localAtTable = this.counters.spentUsd;
  }

  /** Spend the budget is checked against: the cluster's spend at the baseline plus this replica's spend since. */
  spentUsd(): number {
    return this.baselineUsd + this.counters.spentUsd - this.localAtTable;
  }

  /**
   * Admits a request at `now` (Unix ms) and counts it, or says why not. Nothing is allocated unless
   * the request is refused. Refused requests do not count against the rpm limit.
   */
  admit(now: number, replicas = 1): LimitRefusal | undefined {
    if (this.budgetUsd !== undefined) {
      const spent = this.spentUsd();
      if (spent >= this.budgetUsd) return this.quotaRefusal(spent);
    }
    // `replicas` > 1: the cluster's shared counter is away, so each replica enforces its share.
    const rpm = share(this.rpmLimit, replicas);
    if (rpm !== undefined && this.requests!.total(now) >= rpm) return this.rateRefusal(now, this.requests!, rpm, "requests");
    const tpm = share(this.tpmLimit, replicas);
    if (tpm !== undefined && this.tokens!.total(now) >= tpm) return this.rateRefusal(now, this.tokens!, tpm, "tokens");
    this.noteAdmitted(now);
    return undefined;
  }

  /**
   * Reserves a request's most possible cost from the budget (limits counted here, not in Redis), or
   * refuses it when the spend plus what the requests in flight may cost has reached the budget: so
   * concurrent requests see each other, and the budget is overshot by one reservation at most.
   * `release` gives the reservation back once the request is charged.
   */
  reserve(usd: number): LimitRefusal | undefined {
    if (this.budgetUsd === undefined) return undefined;
    const committed = this.spentUsd() + this.reservedUsd;
    if (committed >= this.budgetUsd) return this.quotaRefusal(committed);
    this.reservedUsd += usd;
    return undefined;
  }

  /** Spend plus what the requests in flight (and batches' holds) may still cost. */
  committedUsd(): number {
    return this.spentUsd() + this.reservedUsd;
  }

  release(usd: number): void {
    this.reservedUsd = Math.max(0, this.reservedUsd - usd);
  }

  /** Counts a request the cluster-wide limiter admitted (local windows stay warm for a Redis outage). */
  noteAdmitted(now: number): void {
    if (this.rpmLimit !== undefined) this.requests!.add(now, 1);
    this.counters.requests++;
  }

  /** The refusal for a cluster-wide verdict (Redis): the same error and headers as a local one. */
  sharedRefusal(kind: "requests" | "tokens" | "budget", used: number, limit: number, ms: number): LimitRefusal {
    if (kind === "budget") return this.quotaRefusal(used);
    return rateRefusal(this.name, kind, used, limit, ms);
  }

  /**
   * Counts a finished request's tokens and cost. Tokens are known only afterwards, so the request that
   * crosses the tpm limit is served whole; the next ones wait until the window is under the limit.
   */
  charge(now: number, tokens: number, costUsd: number | undefined): void {
    if (tokens > 0) {
      this.counters.tokens += tokens;
      this.tokens?.add(now, tokens);
    }
    if (costUsd !== undefined && costUsd > 0) this.counters.spentUsd += costUsd;
  }

  /**
   * OpenAI's `x-ratelimit-*` headers for an admitted request (limit, what is left in the window, and
   * when the window will be empty), for the limits this key has.
   */
  rateHeaders(h: Record<string, string>, now: number): void {
    if (this.rpmLimit !== undefined) windowHeaders(h, "requests", this.rpmLimit, this.requests!, now);
    if (this.tpmLimit !== undefined) windowHeaders(h, "tokens", this.tpmLimit, this.tokens!, now);
  }

  private rateRefusal(now: number, w: SlidingWindow, limit: number, kind: "requests" | "tokens"): LimitRefusal {
    return rateRefusal(this.name, kind, w.total(now), limit, w.msUntilBelow(now, limit));
  }

  private quotaRefusal(spent: number): LimitRefusal {
    const error = new RouterError(
      "insufficient_quota",
      `You exceeded your current quota: key ${this.name} has spent ${usd(spent)} of its ${usd(this.budgetUsd ?? 0)} budget. Ask an administrator to raise the budget or reset the key's spend.`,
    );
    return { error, headers: {} };
  }
}

/** A limit split between `replicas` (at least 1 each). */
const share = (limit: number | undefined, replicas: number): number | undefined =>
  limit === undefined || replicas <= 1 ? limit : Math.max(1, Math.floor(limit / replicas));

function rateRefusal(name: string, kind: "requests" | "tokens", used: number, limit: number, ms: number): LimitRefusal {
  const per = kind === "requests" ? "requests per min (RPM)" : "tokens per min (TPM)";
  const error = new RouterError(
    "rate_limit_exceeded",
    `Rate limit reached for key ${name} on ${per}: Limit ${limit}, Used ${used}, Requested 1. Please try again in ${resetDuration(ms)}.`,
    { type: kind },
  );
  const headers: Record<string, string> = { "retry-after": String(Math.max(1, Math.ceil(ms / 1000))) };
  headers[`x-ratelimit-limit-${kind}`] = String(limit);
  headers[`x-ratelimit-remaining-${kind}`] = "0";
  headers[`x-ratelimit-reset-${kind}`] = resetDuration(ms);
  return { error, headers };
}
