import type { Price, RouterConfigFile } from "@ai-router/contracts";
import { type PriceSource, resolvePrice } from "./lookup.js";

/** One configured (model, provider) link, wherever it was configured (router.yaml or the database). */
export interface ConfiguredLink {
  model: string;
  provider: string;
  /** Provider type / adapter name. */
  type: string;
  upstreamModel: string;
  price?: Price | null;
}

export interface PricedLink extends ConfiguredLink {
  source: PriceSource;
}

/** Providers that answer in-process and cost nothing: never reported as unpriced. */
const LOCAL_TYPES: ReadonlySet<string> = new Set(["mock"]);

/** Says where each link's price comes from; `unpriced` lists the ones whose cost will be null. */
export function priceReport(links: readonly ConfiguredLink[]): { links: PricedLink[]; unpriced: PricedLink[] } {
  const out = links.map((l) => Object.assign({}, l, { source: resolvePrice(l.price, l.type, l.upstreamModel).source }));
  return { links: out, unpriced: out.filter((l) => l.source === "none" && !LOCAL_TYPES.has(l.type)) };
}

/** The links of a parsed `router.yaml` (disabled ones included: they may be switched on later). */
export function configLinks(cfg: RouterConfigFile): ConfiguredLink[] {
  const types = new Map(cfg.providers.map((p) => [p.name, p.type as string]));
  return cfg.models.flatMap((m) =>
    m.providers.map((t) => ({
      model: m.name,
      provider: t.provider,
      type: types.get(t.provider) ?? "",
      upstreamModel: t.model ?? m.name,
      ...(t.price ? { price: t.price } : {}),
    })),
  );
}
