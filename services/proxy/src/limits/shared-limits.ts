import type { TableClientKey } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { Redis } from "ioredis";
import type { KeyLimiter, LimitRefusal } from "./key-limiter.js";
import { ADMIT_LUA, SETTLE_LUA } from "./redis-scripts.js";

/** What an admitted request holds until it is settled. */
export interface Reservation {
  tpmKey: string;
  spendKey: string;
  reservedUsd: number;
}

export type SharedVerdict = { refusal: LimitRefusal; reservation?: undefined } | { refusal?: undefined; reservation?: Reservation };

type AdmitReply = [number] | [number, string, string, number];

interface LimitCommands {
  routerAdmit(k1: string, k2: string, k3: string, ...argv: (string | number)[]): Promise<AdmitReply>;
  routerSettle(k1: string, k2: string, ...argv: (string | number)[]): Promise<number>;
}

const kinds = { 1: "requests", 2: "tokens", 3: "budget" } as const;

/**
 * Client-key limits counted cluster-wide in Redis: rpm and tpm in sliding 60 s windows and budgets by
 * reservation, all checked by one atomic script, one Redis round trip per request. After the answer the
 * request is settled (its tokens counted, its reservation replaced by its real cost), off the request
 * path. While Redis is unreachable each replica enforces limit/N locally (N: the replicas seen
 * reporting), logs the switch, and goes back to Redis on the first call that succeeds.
 */
export class SharedLimits {
  private readonly redis: Redis & LimitCommands;
  private down = false;
  /** Spend settled while Redis was away (cost minus reservation), applied when it returns (spend key -> USD). */
  private readonly unsettled = new Map<string, number>();

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
    /** Replicas of the cluster (this one included), for the local share of a limit while Redis is away. */
    private readonly replicas: () => number,
  ) {
    redis.defineCommand("routerAdmit", { numberOfKeys: 3, lua: ADMIT_LUA });
    redis.defineCommand("routerSettle", { numberOfKeys: 2, lua: SETTLE_LUA });
    this.redis = redis as Redis & LimitCommands;
  }

  /** Whether limits are being enforced locally (Redis away). */
  get degraded(): boolean {
    return this.down;
  }

  private keys(k: TableClientKey): [string, string, string] {
    // One hash tag per key: the three keys live on one Redis Cluster slot.
    const base = `${this.prefix}:{${k.sha256}}`;
    return [`${base}:rpm`, `${base}:tpm`, `${base}:spend:${k.spendResetAt ?? 0}`];
  }

  /**
   * Admits a request of `key` (whose local limiter is `limiter`) reserving `reserveUsd` of its budget,
   * or says why not.
   */
  async admit(limiter: KeyLimiter, key: TableClientKey, reserveUsd: number, now: number): Promise<SharedVerdict> {
    const [rpmKey, tpmKey, spendKey] = this.keys(key);
    const budget = key.budgetUsd ?? -1;
    const reserve = key.budgetUsd === undefined ? 0 : reserveUsd;
    let reply: AdmitReply;
    try {
      reply = await this.redis.routerAdmit(
        rpmKey,
        tpmKey,
        spendKey,
        key.rpmLimit ?? 0,
        key.tpmLimit ?? 0,
        budget,
        reserve,
        limiter.spentUsd(),
      );
      this.recovered();
    } catch (err) {
      this.lost(err);
      const refusal = limiter.admit(now, this.replicas());
      // Nothing reserved; settling adds the real cost to the shared spend (now or once Redis is back).
      return refusal ? { refusal } : { reservation: { tpmKey, spendKey, reservedUsd: 0 } };
    }
    if (reply[0] === 0) {
      limiter.noteAdmitted(now);
      return { reservation: { tpmKey, spendKey, reservedUsd: reserve } };
    }
    const [kind, used, limit, ms] = reply as [1 | 2 | 3, string, string, number];
    return { refusal: limiter.sharedRefusal(kinds[kind], Number(used), Number(limit), ms) };
  }

  /** The key's cluster-wide spend with what is reserved (undefined: not counted yet, or Redis away). */
  async committedUsd(key: TableClientKey): Promise<number | undefined> {
    try {
      const v = await this.redis.get(this.keys(key)[2]);
      return v === null ? undefined : Number(v);
    } catch {
      return undefined;
    }
  }

  /** Counts a finished request's tokens and replaces its reservation with its real cost. */
  settle(r: Reservation, tokens: number, costUsd: number | undefined): void {
    const delta = (costUsd ?? 0) - r.reservedUsd;
    if (tokens <= 0 && delta === 0) return;
    this.redis.routerSettle(r.tpmKey, r.spendKey, Math.max(0, Math.round(tokens)), delta).then(
      () => this.recovered(),
      (err) => {
        this.lost(err);
        // The tokens' window will have moved on by then; the spend must not be lost.
        if (delta !== 0) this.unsettled.set(r.spendKey, (this.unsettled.get(r.spendKey) ?? 0) + delta);
      },
    );
  }

  private lost(err: unknown): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn(
      { err: (err as Error).message, replicas: this.replicas() },
      "Redis unreachable: client-key limits enforced per replica (limit / replicas) until it returns",
    );
  }

  private recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.info("Redis is back: client-key limits are cluster-wide again");
    const pending = [...this.unsettled];
    this.unsettled.clear();
    for (const [spendKey, usd] of pending) void this.redis.routerSettle(`${spendKey}:none`, spendKey, 0, usd).catch(() => {});
  }

  close(): void {
    this.redis.disconnect();
  }
}
