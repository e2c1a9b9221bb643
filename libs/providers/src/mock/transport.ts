import { Readable } from "node:stream";
import type { ChatCompletionRequest } from "@ai-router/contracts";
import type { LocalTransport, UpstreamRequest, UpstreamResponse } from "../adapter.js";
import { mockCompletion } from "./chat.js";
import { mockStream } from "./stream.js";

const answer = (statusCode: number, body: string): UpstreamResponse => ({ statusCode, body: Readable.from([Buffer.from(body)]) });

const error = (status: number, message: string) =>
  answer(status, JSON.stringify({ error: { message, type: "invalid_request_error", param: null, code: null } }));

async function* bytes(events: AsyncIterable<string>): AsyncIterable<Buffer> {
  for await (const ev of events) yield Buffer.from(ev);
}

/**
 * The mock provider's "network": it answers the OpenAI chat request the adapter built, in OpenAI's
 * format (JSON or SSE), so the answer goes through the same parsing and stream translation as a
 * remote provider's.
 */
export const mockTransport: LocalTransport = {
  send(req: UpstreamRequest): UpstreamResponse {
    if (req.method !== "POST" || req.path !== "/chat/completions") return error(404, `The mock provider does not serve ${req.path}.`);
    let body: ChatCompletionRequest;
    try {
      body = JSON.parse(String(req.body)) as ChatCompletionRequest;
    } catch {
      return error(400, "The request body is not valid JSON.");
    }
    if (body.stream === true) {
      const s = mockStream(body, body.model, body.stream_options?.include_usage === true);
      return { statusCode: 200, body: Readable.from(bytes(s.events)) };
    }
    return answer(200, mockCompletion(body, body.model).body);
  },
};
