import type { Price } from "@ai-router/contracts";
import { PRICE_LIST, PRICE_LIST_DATE, type PriceRow } from "./price-list.js";

/** Where a target's price came from: its own config, the bundled list, or nowhere (cost stays null). */
export type PriceSource = "link" | "bundled" | "none";

interface Index {
  /** `type\u0000model` -> price, for rows restricted to provider types. */
  byProvider: Map<string, Price>;
  /** model -> price, for rows valid on any provider. */
  any: Map<string, Price>;
}

function buildIndex(rows: readonly PriceRow[]): Index {
  const byProvider = new Map<string, Price>();
  const any = new Map<string, Price>();
  for (const row of rows) {
    for (const m of row.models) {
      const id = m.toLowerCase();
      if (row.providers) for (const p of row.providers) byProvider.set(`${p}\u0000${id}`, row.price);
      else any.set(id, row.price);
    }
  }
  return { byProvider, any };
}

const index = buildIndex(PRICE_LIST);

/** Providers that resell other vendors' models under `vendor/model` ids at the vendor's own price. */
const RESELLERS_AT_LIST_PRICE: ReadonlySet<string> = new Set(["openrouter"]);

/**
 * The bundled price of `model` served by a provider of type `providerType`, or undefined when the list
 * does not know it (an unknown model is never treated as free). Ids compare case-insensitively; a
 * provider-specific row wins over a general one.
 */
export function bundledPrice(providerType: string, model: string): Price | undefined {
  const id = model.toLowerCase();
  const hit = index.byProvider.get(`${providerType}\u0000${id}`) ?? index.any.get(id);
  if (hit) return hit;
  if (RESELLERS_AT_LIST_PRICE.has(providerType)) {
    const slash = id.indexOf("/");
    if (slash > 0) return index.any.get(id.slice(slash + 1));
  }
  return undefined;
}

/** A target's effective price: its own when set, else the bundled one, else none. */
export function resolvePrice(
  own: Price | undefined | null,
  providerType: string,
  model: string,
): { price: Price | undefined; source: PriceSource } {
  if (own) return { price: own, source: "link" };
  const b = bundledPrice(providerType, model);
  return b ? { price: b, source: "bundled" } : { price: undefined, source: "none" };
}

export { PRICE_LIST, PRICE_LIST_DATE };
