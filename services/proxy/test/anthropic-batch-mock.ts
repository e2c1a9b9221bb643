import { json, type SeenRequest, startMockServer } from "./offline-mock-http.js";

/**
 * Anthropic's Message Batches API as documented (docs.anthropic.com), with `x-api-key` and
 * `anthropic-version`: `POST /v1/messages/batches` (in_progress), `GET /v1/messages/batches/{id}`
 * (ended on the second read, `results_url` then set), `/cancel` (canceling), `/results` (JSONL: each
 * request `succeeded` with a message from its model), `DELETE` (a 400 until it ended).
 */
export async function startAnthropicBatchMock(apiKey: string) {
  const batches = new Map<
    string,
    { body: { requests: { custom_id: string; params: { model: string } }[] }; reads: number; canceled: boolean }
  >();
  let n = 0;
  const created = "2026-12-07T10:00:00Z";
  let origin = "";
  const view = (id: string) => {
    const b = batches.get(id) as NonNullable<ReturnType<typeof batches.get>>;
    const ended = b.reads >= 2;
    const total = b.body.requests.length;
    return {
      id,
      type: "message_batch",
      processing_status: ended ? "ended" : b.canceled ? "canceling" : "in_progress",
      request_counts: { processing: ended ? 0 : total, succeeded: ended ? total : 0, errored: 0, canceled: 0, expired: 0 },
      ended_at: ended ? "2026-12-07T10:05:00Z" : null,
      created_at: created,
      expires_at: "2026-12-08T10:00:00Z",
      archived_at: null,
      cancel_initiated_at: b.canceled ? "2026-12-07T10:01:00Z" : null,
      results_url: ended ? `${origin}/v1/messages/batches/${id}/results` : null,
    };
  };
  const server = await startMockServer((req: SeenRequest, res) => {
    if (req.headers["x-api-key"] !== apiKey)
      return json(res, 401, { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } });
    if (!req.headers["anthropic-version"])
      return json(res, 400, { type: "error", error: { type: "invalid_request_error", message: "anthropic-version header is required" } });
    if (req.method === "POST" && req.path === "/v1/messages/batches") {
      const body = JSON.parse(req.text) as { requests: { custom_id: string; params: { model: string } }[] };
      const id = `msgbatch_up${++n}`;
      batches.set(id, { body, reads: 0, canceled: false });
      return json(res, 200, view(id));
    }
    const m = /^\/v1\/messages\/batches\/([^/]+)(?:\/(\w+))?$/.exec(req.path);
    const b = m ? batches.get(m[1] as string) : undefined;
    if (m && b) {
      if (req.method === "GET" && m[2] === undefined) {
        b.reads++;
        return json(res, 200, view(m[1] as string));
      }
      if (req.method === "DELETE" && m[2] === undefined) {
        // Anthropic deletes only a batch that has ended.
        if (b.reads < 2)
          return json(res, 400, {
            type: "error",
            error: { type: "invalid_request_error", message: "Batch cannot be deleted while processing." },
          });
        batches.delete(m[1] as string);
        return json(res, 200, { id: m[1], type: "message_batch_deleted" });
      }
      if (req.method === "POST" && m[2] === "cancel") {
        b.canceled = true;
        return json(res, 200, view(m[1] as string));
      }
      if (req.method === "GET" && m[2] === "results") {
        res.writeHead(200, { "content-type": "application/binary" });
        return res.end(
          b.body.requests
            .map((r, i) =>
              JSON.stringify({
                custom_id: r.custom_id,
                result: {
                  type: "succeeded",
                  message: {
                    id: `msg_${i}`,
                    type: "message",
                    role: "assistant",
                    model: r.params.model,
                    content: [{ type: "text", text: `batched by ${r.params.model}` }],
                    stop_reason: "end_turn",
                    stop_sequence: null,
                    usage: { input_tokens: 3, output_tokens: 2 },
                  },
                },
              }),
            )
            .map((l) => `${l}\n`)
            .join(""),
        );
      }
    }
    json(res, 404, { type: "error", error: { type: "not_found_error", message: `Unknown path ${req.path}` } });
  });
  origin = server.origin;
  return { url: server.origin, seen: server.seen, batches, close: server.close };
}
