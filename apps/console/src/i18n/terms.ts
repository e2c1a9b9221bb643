/**
 * Names shown the same in every language (the product, protocols, metric names). Everything else a
 * person reads is in the catalogues (en-*.ts, zh-*.ts); ui-text.test.ts finds text written anywhere else.
 */
export const TERMS = {
  product: "AI Router",
  nats: "NATS",
  http: "HTTP",
  ttft: "TTFT",
  p50: "p50",
  p95: "p95",
} as const;
