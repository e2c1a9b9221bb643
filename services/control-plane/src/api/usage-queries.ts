import type { UsageFigures, UsageFilters, UsageGroupBy, UsageRecord, UsageSummaryRow } from "@ai-router/contracts";
import type { z } from "zod";
import { badRequest } from "../http/errors.js";

type Filters = z.infer<typeof UsageFilters>;

/** A WHERE clause with positional parameters, built from the shared filters (default: the last 24 h). */
export function whereOf(f: Filters, params: unknown[]): string {
  const to = f.to ? new Date(f.to) : new Date();
  const from = f.from ? new Date(f.from) : new Date(to.getTime() - 86_400_000);
  if (from > to) throw badRequest("Invalid query: `from` is after `to`.", "from");
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const parts = [`time >= ${p(from)}`, `time < ${p(to)}`];
  if (f.model !== undefined) parts.push(`model = ${p(f.model)}`);
  if (f.provider !== undefined) parts.push(`provider = ${p(f.provider)}`);
  if (f.key_id !== undefined) parts.push(`key_id = ${p(f.key_id)}`);
  if (f.client_request_id !== undefined) parts.push(`client_request_id = ${p(f.client_request_id)}`);
  if (f.status !== undefined) {
    if (f.status === "error") parts.push("status >= 400");
    else if (f.status.endsWith("xx")) {
      const c = Number(f.status[0]) * 100;
      parts.push(`status >= ${p(c)} AND status < ${p(c + 100)}`);
    } else parts.push(`status = ${p(Number(f.status))}`);
  }
  return parts.join(" AND ");
}

/** Opaque page cursor: the (time, id) of the last row of the page. */
export function encodeCursor(time: Date, id: string): string {
  return Buffer.from(JSON.stringify([time.toISOString(), id])).toString("base64url");
}

export function decodeCursor(c: string): { time: Date; id: string } {
  try {
    const [t, id] = JSON.parse(Buffer.from(c, "base64url").toString("utf8")) as [string, string];
    const time = new Date(t);
    if (typeof id !== "string" || Number.isNaN(time.getTime())) throw new Error("bad");
    return { time, id };
  } catch {
    throw badRequest("Invalid query: `cursor` is not a cursor this API returned.", "cursor");
  }
}

/** A stored row (snake_case columns, as `SELECT *` returns them) -> the record shape. */
export function toUsageRecord(r: Record<string, unknown>): UsageRecord {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: r.id as string,
    client_request_id: (r.client_request_id as string | null) ?? null,
    time: (r.time as Date).toISOString(),
    replica: r.replica as string,
    ingress: r.ingress as string,
    endpoint: r.endpoint as string,
    model: (r.model as string | null) ?? null,
    provider: (r.provider as string | null) ?? null,
    upstream_model: (r.upstream_model as string | null) ?? null,
    key_id: (r.key_id as string | null) ?? null,
    key_name: (r.key_name as string | null) ?? null,
    stream: r.stream as boolean,
    status: Number(r.status),
    error_code: (r.error_code as string | null) ?? null,
    attempts: (r.attempts as UsageRecord["attempts"]) ?? [],
    prompt_tokens: Number(r.prompt_tokens),
    completion_tokens: Number(r.completion_tokens),
    cached_tokens: Number(r.cached_tokens),
    reasoning_tokens: Number(r.reasoning_tokens),
    usage_estimated: r.usage_estimated as boolean,
    cost_usd: num(r.cost_usd),
    latency_ms: Number(r.latency_ms),
    ttft_ms: num(r.ttft_ms),
    tokens_per_s: num(r.tokens_per_s),
    request_bytes: Number(r.request_bytes),
    response_bytes: Number(r.response_bytes),
    queued_ms: Number(r.queued_ms ?? 0),
    cache_creation_tokens: Number(r.cache_creation_tokens ?? 0),
    cache_saved_usd: num(r.cache_saved_usd),
    cache_hit: r.cache_hit === true,
    ...(r.seq !== null && r.seq !== undefined ? { seq: Number(r.seq) } : {}),
  };
}

/** The SQL expression of a summary group's key. */
export function groupExpr(g: UsageGroupBy): string {
  switch (g) {
    case "model":
      return "COALESCE(model, 'unknown')";
    case "provider":
      return "COALESCE(provider, 'unknown')";
    case "key":
      return "COALESCE(key_id, 'unknown')";
    case "day":
      return `to_char(date_trunc('day', time AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
    case "hour":
      return `to_char(date_trunc('hour', time AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
  }
}

/** The aggregate columns of a summary row (floats, so no BigInt reaches JSON). */
export const FIGURES_SQL = `count(*)::float8 AS requests,
  (count(*) FILTER (WHERE status >= 400))::float8 AS errors,
  COALESCE(sum(prompt_tokens), 0)::float8 AS prompt_tokens,
  COALESCE(sum(completion_tokens), 0)::float8 AS completion_tokens,
  COALESCE(sum(cached_tokens), 0)::float8 AS cached_tokens,
  COALESCE(sum(cost_usd), 0)::float8 AS cost_usd,
  COALESCE(sum(cache_creation_tokens), 0)::float8 AS cache_creation_tokens,
  COALESCE(sum(cache_saved_usd), 0)::float8 AS cache_saved_usd,
  (count(*) FILTER (WHERE cache_hit))::float8 AS response_cache_hits,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS latency_p50_ms,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS latency_p95_ms,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY ttft_ms) AS ttft_p50_ms`;

const round = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 100) / 100);

export function toFigures(r: Record<string, unknown>): UsageFigures {
  return {
    requests: Number(r.requests ?? 0),
    errors: Number(r.errors ?? 0),
    prompt_tokens: Number(r.prompt_tokens ?? 0),
    completion_tokens: Number(r.completion_tokens ?? 0),
    cached_tokens: Number(r.cached_tokens ?? 0),
    cost_usd: Number(r.cost_usd ?? 0),
    cache_creation_tokens: Number(r.cache_creation_tokens ?? 0),
    cache_hit_ratio:
      Number(r.prompt_tokens ?? 0) > 0 ? Math.round((Number(r.cached_tokens ?? 0) / Number(r.prompt_tokens)) * 1e4) / 1e4 : null,
    cache_saved_usd: Number(r.cache_saved_usd ?? 0),
    response_cache_hits: Number(r.response_cache_hits ?? 0),
    latency_p50_ms: round(r.latency_p50_ms),
    latency_p95_ms: round(r.latency_p95_ms),
    ttft_p50_ms: round(r.ttft_p50_ms),
  };
}

export const toSummaryRow = (r: Record<string, unknown>): UsageSummaryRow => ({ key: String(r.key), ...toFigures(r) });

/**
 * A spreadsheet reads a text cell starting with `=`, `+`, `-`, `@`, tab or CR as a formula (OWASP's
 * CSV injection): such a cell is prefixed with `'` (shown as text) and quoted. Only text: numbers are
 * written as they are, so a negative number stays a number.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: RFC 4180 quoting (`,` `"` CR LF), text that a spreadsheet would run neutralised. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  if (FORMULA_START.test(s)) return `"'${s.replaceAll('"', '""')}"`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** RFC 4180 CSV: a header line, then one line per row (fields as {@link csvCell} writes them). */
export function toCsv(columns: string[], rows: Record<string, unknown>[]): string {
  return `${[columns.join(","), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(","))].join("\r\n")}\r\n`;
}
