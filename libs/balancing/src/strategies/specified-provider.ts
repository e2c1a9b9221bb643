import { z } from "zod";
import { parseOptions, StrategyOptionsError } from "../options.js";
import { OrderBuffer } from "../order-helpers.js";
import type { BalancingStrategy, Candidate } from "../types.js";

const Options = z
  .object({
    /** The provider that serves every request of the model. */
    specified_provider: z.string().min(1),
    /** Fail over to the model's other candidates when the specified provider fails (the original did not). */
    failover: z.boolean().default(false),
  })
  .strict();

/**
 * Pins a model to one provider. By default only that provider's targets are returned (as the
 * original); with `failover: true` the others follow as failover, and take the lead while every
 * target of the specified provider has an open breaker.
 */
export const specifiedProvider: BalancingStrategy = {
  name: "specified_provider",
  description: "Always the provider named in options.specified_provider; optional failover to the others.",
  options: {
    specified_provider: "provider name (required)",
    failover: "fail over to the other candidates (default false)",
  },
  create(candidates, options) {
    const o = parseOptions(Options, options, "specified_provider");
    const pinned = candidates.filter((c) => c.provider === o.specified_provider);
    if (pinned.length === 0) {
      const known = [...new Set(candidates.map((c) => c.provider))].join(", ");
      throw new StrategyOptionsError(`specified_provider: "${o.specified_provider}" is not one of this model's providers (${known})`);
    }
    const pinnedBuf = new OrderBuffer(pinned);
    const restBuf = new OrderBuffer(candidates.filter((c) => c.provider !== o.specified_provider));
    for (let i = 0; i < pinnedBuf.n; i++) pinnedBuf.key[i] = i;
    for (let i = 0; i < restBuf.n; i++) restBuf.key[i] = i;
    return {
      order(hints) {
        pinnedBuf.classify(hints.now);
        const first = pinnedBuf.emit(pinnedBuf.minLead());
        if (!o.failover || restBuf.n === 0) return first;
        restBuf.classify(hints.now);
        const rest = restBuf.emit(restBuf.minLead());
        // Healthy pinned targets, then healthy others, then every open breaker (pinned first).
        const out: Candidate[] = [];
        for (const c of first) if (c.health.available(hints.now)) out.push(c);
        for (const c of rest) if (c.health.available(hints.now)) out.push(c);
        for (const c of first) if (!c.health.available(hints.now)) out.push(c);
        for (const c of rest) if (!c.health.available(hints.now)) out.push(c);
        return out;
      },
      explain(ordered) {
        const c = ordered[0] as Candidate;
        return c.provider === o.specified_provider
          ? `specified provider ${o.specified_provider}: ${c.id}`
          : `specified provider ${o.specified_provider} has every breaker open; failing over to ${c.id}`;
      },
    };
  },
};
