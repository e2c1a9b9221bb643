import { Pool } from "undici";
import type { BatchLine } from "../files/jsonl-check.js";
import { BATCH_HEADER } from "./batch-auth.js";

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

  constructor(origin: string, connections: number) {
    this.pool = new Pool(origin, { connections, pipelining: 1 });
  }

  async run(line: BatchLine, token: string, resultId: string): Promise<ResultLine> {
    const body = JSON.stringify(Object.assign({}, line.body, { stream: false }));
    try {
      const res = await this.pool.request({
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
      return {
        id: resultId,
        custom_id: line.custom_id,
        response: null,
        error: { code: "router_unreachable", message: `The line could not be sent: ${(err as Error).message.slice(0, 200)}` },
      };
    }
  }

  close(): Promise<void> {
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
