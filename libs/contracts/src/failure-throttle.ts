import { isIPv6 } from "node:net";

/** How failed logins are throttled. */
export interface ThrottleOptions {
  /** Failures a source may make within `windowMs` before it is refused (default 10). */
  maxFailures?: number;
  /** The counting window, and how long a source is refused once over the limit (default 60 s). */
  windowMs?: number;
  /** Sources remembered at most; the oldest is forgotten first (default 10,000: about 1 MB). */
  maxSources?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  /** Start of the current window. */
  since: number;
  /** Refused until then (0: not refused). */
  blockedUntil: number;
}

/**
 * Failed logins per source in a fixed window, in bounded memory: over `maxFailures` in `windowMs`,
 * the source is refused for `windowMs` whatever it sends (a right token included, so a guesser learns
 * nothing while refused). A Map keeps insertion order: when full, the oldest source goes first.
 */
export class FailureThrottle {
  readonly maxFailures: number;
  readonly windowMs: number;
  private readonly maxSources: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();

  constructor(opts: ThrottleOptions = {}) {
    this.maxFailures = opts.maxFailures ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxSources = opts.maxSources ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** ms this source must still wait; 0 when it may try. */
  retryAfterMs(source: string): number {
    const e = this.entries.get(source);
    if (e === undefined || e.blockedUntil === 0) return 0;
    const left = e.blockedUntil - this.now();
    if (left > 0) return left;
    this.entries.delete(source);
    return 0;
  }

  /** Counts one failure; returns true when this one put the source over the limit. */
  fail(source: string): boolean {
    const now = this.now();
    let e = this.entries.get(source);
    if (e === undefined || now - e.since >= this.windowMs) {
      if (e !== undefined) this.entries.delete(source);
      e = { failures: 0, since: now, blockedUntil: 0 };
      this.entries.set(source, e);
      if (this.entries.size > this.maxSources) this.entries.delete(this.entries.keys().next().value as string);
    }
    e.failures++;
    if (e.failures >= this.maxFailures && e.blockedUntil === 0) {
      e.blockedUntil = now + this.windowMs;
      return true;
    }
    return false;
  }

  /** Sources remembered (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }
}

/**
 * A source address as throttles count it: IPv4 (also IPv4-mapped IPv6) whole, IPv6 by its /64 (one
 * host usually owns a whole /64, so single addresses would be free to rotate).
 */
export function sourceOf(address: string | undefined): string {
  if (!address) return "unknown";
  const a = address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
  if (!isIPv6(a)) return a.replace(/[^0-9A-Za-z.:-]/g, "").slice(0, 64) || "unknown";
  const [head = "", tail] = a.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
