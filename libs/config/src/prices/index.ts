export { bundledPrice, type PriceSource, resolvePrice } from "./lookup.js";
export {
  BATCH_PRICE_FACTOR,
  batchPrice,
  FINE_TUNING_PRICES,
  fineTunedPrice,
  fineTuningBase,
  trainingPricePerMtok,
} from "./offline-prices.js";
export { CNY_PER_USD, PRICE_LIST, PRICE_LIST_DATE, type PriceRow } from "./price-list.js";
export { type ConfiguredLink, configLinks, type PricedLink, priceReport } from "./report.js";
