import { UsageListOut, UsageListQuery, UsageRecord, UsageSummaryOut, UsageSummaryQuery } from "@ai-router/contracts";
import type { Request, Response } from "express";
import { parseQuery } from "../http/errors.js";
import type { ApiContext } from "./context.js";
import {
  decodeCursor,
  encodeCursor,
  FIGURES_SQL,
  groupExpr,
  toCsv,
  toFigures,
  toSummaryRow,
  toUsageRecord,
  whereOf,
} from "./usage-queries.js";

const tag = "usage";

const filterDocs = {
  from: { description: "ISO time, inclusive (default: 24 h before `to`)", schema: UsageListQuery.shape.from },
  to: { description: "ISO time, exclusive (default: now)", schema: UsageListQuery.shape.to },
  model: { description: "Model the client asked for", schema: UsageListQuery.shape.model },
  provider: { description: "Provider that served (or failed last)", schema: UsageListQuery.shape.provider },
  key_id: { description: "Client key id", schema: UsageListQuery.shape.key_id },
  client_request_id: { description: "The `x-request-id` the client sent (exact)", schema: UsageListQuery.shape.client_request_id },
  status: { description: "HTTP status (`429`), class (`4xx`) or `error` (>= 400)", schema: UsageListQuery.shape.status },
};

const wantsCsv = (req: Request) => /\btext\/csv\b/.test(req.headers.accept ?? "");

function sendCsv(res: Response, name: string, text: string): void {
  res
    .status(200)
    .set({ "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${name}.csv"` })
    .send(text);
}

const RECORD_COLUMNS = Object.keys(UsageRecord.shape);
const FIGURE_COLUMNS = [
  "requests",
  "errors",
  "prompt_tokens",
  "completion_tokens",
  "cached_tokens",
  "cost_usd",
  "latency_p50_ms",
  "latency_p95_ms",
  "ttft_p50_ms",
  // Prompt caching (reads are `cached_tokens`) and the response cache, appended so older readers keep their columns.
  "cache_creation_tokens",
  "cache_hit_ratio",
  "cache_saved_usd",
  "response_cache_hits",
];

/** The usage ledger over the admin API: records page by page, and summaries grouped by model, provider, key, day or hour. */
export function usageRoutes(ctx: ApiContext): void {
  const { api, prisma } = ctx;

  api.route(
    {
      method: "get",
      path: "/v1/db/usage",
      tag,
      summary: "Usage records, newest first (JSON, or CSV with `Accept: text/csv`)",
      description:
        "One record per request the proxies answered (served, failed over, refused, rejected once the model was known). Page with `next_cursor`.",
      query: {
        ...filterDocs,
        limit: { description: "1-1000, default 100", schema: UsageListQuery.shape.limit },
        cursor: { description: "`next_cursor` of the previous page", schema: UsageListQuery.shape.cursor },
      },
      response: UsageListOut,
    },
    async (req, res) => {
      const q = parseQuery(UsageListQuery, req);
      const params: unknown[] = [];
      let where = whereOf(q, params);
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        params.push(c.time, c.id);
        where += ` AND (time, id) < ($${params.length - 1}, $${params.length})`;
      }
      params.push(q.limit + 1);
      const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(
        `SELECT * FROM usage_records WHERE ${where} ORDER BY time DESC, id DESC LIMIT $${params.length}`,
        ...params,
      );
      const more = rows.length > q.limit;
      const page = (more ? rows.slice(0, q.limit) : rows).map(toUsageRecord);
      const last = page.at(-1);
      const next_cursor = more && last ? encodeCursor(new Date(last.time), last.id) : null;
      if (wantsCsv(req)) {
        if (next_cursor) res.setHeader("x-next-cursor", next_cursor);
        return sendCsv(res, "usage", toCsv(RECORD_COLUMNS, page));
      }
      return { data: page, next_cursor };
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/db/usage/summary",
      tag,
      summary: "Usage totals grouped by model, provider, key, day or hour (JSON, or CSV with `Accept: text/csv`)",
      description: "Requests, errors, tokens, cost and latency percentiles per group, and the same over all groups (`totals`).",
      query: {
        ...filterDocs,
        group_by: { description: "model | provider | key | day | hour (default model)", schema: UsageSummaryQuery.shape.group_by },
      },
      response: UsageSummaryOut,
    },
    async (req, res) => {
      const q = parseQuery(UsageSummaryQuery, req);
      const params: unknown[] = [];
      const where = whereOf(q, params);
      const g = groupExpr(q.group_by);
      const [rows, totals] = await Promise.all([
        prisma.$queryRawUnsafe<Record<string, unknown>[]>(
          `SELECT ${g} AS key, ${FIGURES_SQL} FROM usage_records WHERE ${where} GROUP BY 1 ORDER BY 1`,
          ...params,
        ),
        prisma.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT ${FIGURES_SQL} FROM usage_records WHERE ${where}`, ...params),
      ]);
      const out = { group_by: q.group_by, rows: rows.map(toSummaryRow), totals: toFigures(totals[0] ?? {}) };
      if (wantsCsv(req)) {
        return sendCsv(res, `usage-by-${q.group_by}`, toCsv(["key", ...FIGURE_COLUMNS], [...out.rows, { key: "(total)", ...out.totals }]));
      }
      return out;
    },
  );
}
