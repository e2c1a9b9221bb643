import { finishRecord, type RequestEnd } from "../src/record/finish-record.js";
import { type RecordRoute, RequestRecord } from "../src/record/request-record.js";

/** Unit tests' request records: a route, the fields a pipeline would fill in, and (optionally) their end. */
export const CHAT_ROUTE: RecordRoute = { ingress: "openai-chat", endpoint: "chat.completions", estimate: "chat" };

export const requestEnd = (over: Partial<RequestEnd> = {}): RequestEnd =>
  Object.assign(
    {
      replica: "r",
      seq: 1,
      arrivedAt: Date.UTC(2026, 0, 1),
      latencyMs: 1000,
      ttfbMs: 200,
      status: 200,
      requestBytes: 400,
      responseBytes: 1600,
      queuedMs: 0,
    },
    over,
  );

/** A record with `fields` set, not finished. */
export const recordOf = (fields: Partial<RequestRecord> = {}, route: RecordRoute = CHAT_ROUTE, id = "req-1"): RequestRecord =>
  Object.assign(new RequestRecord(id, route), fields);

/** A record with `fields` set and finished with `end`. */
export function finished(fields: Partial<RequestRecord>, end: Partial<RequestEnd> = {}, route: RecordRoute = CHAT_ROUTE, id = "req-1") {
  // The published id: the request's own when the client sent none (record/request-end.ts).
  const r = recordOf(Object.assign({ recordId: id }, fields), route, id);
  finishRecord(r, requestEnd(end));
  return r;
}
