import { usageLedger } from "@ai-router/contracts";
import type { Redis } from "ioredis";
import type { InsertedRow } from "./insert-records.js";

/** Rollup hashes live two days: live views read the last minutes and hours; the ledger has the rest. */
const TTL_S = 2 * 86_400;

/**
 * Per-minute rollups for live views: one Redis hash per minute, fields `<metric>|<model>|<provider>`
 * with metric req, err, pt (prompt tokens), ct (completion tokens), cost, lat (latency ms sum). Only
 * rows the ledger newly stored are added, so a redelivery never counts twice.
 */
export async function addRollups(redis: Redis, bucket: string, rows: InsertedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const sums = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const minute = Math.floor(new Date(r.time).getTime() / 60_000);
    const key = usageLedger.rollupKey(bucket, minute);
    let h = sums.get(key);
    if (!h) {
      h = new Map();
      sums.set(key, h);
    }
    const g = `${r.model ?? ""}|${r.provider ?? ""}`;
    const add = (metric: string, v: number) => {
      if (v !== 0) h.set(`${metric}|${g}`, (h.get(`${metric}|${g}`) ?? 0) + v);
    };
    add("req", 1);
    add("err", r.status >= 400 ? 1 : 0);
    add("pt", r.prompt_tokens);
    add("ct", r.completion_tokens);
    add("cost", r.cost_usd ?? 0);
    add("lat", r.latency_ms);
  }
  const p = redis.pipeline();
  for (const [key, h] of sums) {
    for (const [field, v] of h) {
      if (Number.isInteger(v)) p.hincrby(key, field, v);
      else p.hincrbyfloat(key, field, v);
    }
    p.expire(key, TTL_S);
  }
  await p.exec();
}
