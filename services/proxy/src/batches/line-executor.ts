import { Pool } from "undici";
import type { BatchLine } from "../files/jsonl-check.js";
import { BATCH_HEADER } from "./batch-auth.js";
import type { LineOrigin } from "./batch-lane.js";

/** A finished line in OpenAI's output format (`response` set when the router answered, `error` otherwise). */
export interface ResultLine {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: unknown } | null;
  error: { code: string; message: string } | null;
}

/** A custom_id the router takes as the line's request id (others are any text: the router makes one). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The largest answer body a batch line keeps (a bigger one is an error line). */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * Sends a batch line through the router's own front door (loopback), so it takes the normal path:
 * routing, failover, the owning key's limits and budget, one usage record (marked with the batch id).
 */
export class LineExecutor {
  private readonly pool: Pool;
  private lanePool: { origin: string; pool: Pool } | undefined;

  /** `lane`: lines go to the batch lane (batch-lane.ts) while it runs; Responses lines stay here, where responses are stored. */
  constructor(
    origin: string,
    private readonly connections: number,
    private readonly lane?: LineOrigin,
  ) {
    this.pool = new Pool(origin, { connections, pipelining: 1 });
  }

  /** The pool a line goes through: the lane's (its current origin), or this process's own front door. */
  private async poolFor(url: string): Promise<Pool> {
    if (this.lane === undefined || url === "/v1/responses") return this.pool;
    const origin = await this.lane.current();
    if (origin === undefined) return this.pool;
    if (this.lanePool?.origin !== origin) {
      void this.lanePool?.pool.close().catch(() => undefined);
      this.lanePool = { origin, pool: new Pool(origin, { connections: this.connections, pipelining: 1 }) };
    }
    return this.lanePool.pool;
  }

  async run(line: BatchLine, token: string, resultId: string, tries = 3): Promise<ResultLine> {
    const body = JSON.stringify(Object.assign({}, line.body, { stream: false }));
    const pool = await this.poolFor(line.url);
    try {
      const res = await pool.request({
        method: "POST",
        path: line.url,
        headers: REQUEST_ID.test(line.custom_id)
          ? { "content-type": "application/json", [BATCH_HEADER]: token, "x-request-id": line.custom_id }
          : { "content-type": "application/json", [BATCH_HEADER]: token },
        body,
      });
      let size = 0;
      const chunks: Buffer[] = [];
      for await (const c of res.body) {
        size += (c as Buffer).length;
        if (size > MAX_ANSWER_BYTES) {
          res.body.destroy();
          return {
            id: resultId,
            custom_id: line.custom_id,
            response: null,
            error: { code: "response_too_large", message: "The answer was too large to keep." },
          };
        }
        chunks.push(c as Buffer);
      }
      const text = Buffer.concat(chunks).toString("utf8");
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
      const requestId = String(res.headers["x-request-id"] ?? "");
      return {
        id: resultId,
        custom_id: line.custom_id,
        response: { status_code: res.statusCode, request_id: requestId, body: parsed },
        error: null,
      };
    } catch (err) {
      // The lane died under the line: sent again once it is back (as a line in flight at a restart is).
      if (pool !== this.pool && tries > 1 && this.lanePool?.pool === pool) {
        this.lane?.unreachable(this.lanePool.origin);
        await new Promise((r) => setTimeout(r, 200));
        return this.run(line, token, resultId, tries - 1);
      }
      return {
        id: resultId,
        custom_id: line.custom_id,
        response: null,
        error: { code: "router_unreachable", message: `The line could not be sent: ${(err as Error).message.slice(0, 200)}` },
      };
    }
  }

  async close(): Promise<void> {
    await this.lanePool?.pool.close();
    return this.pool.close();
  }
}

/** A line of the input file as JSON, or undefined when it is none. */
export const parseOrUndefined = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

let resultSeq = 0;
/** The id of a line's result (`batch_req_...`), unique in this process. */
export const resultId = (batchId: string) => `batch_req_${batchId.slice(6, 18)}${(resultSeq++).toString(36)}${Date.now().toString(36)}`;
