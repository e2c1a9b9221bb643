import { type ResponsesInputItem, ResponsesRequest } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import {
  type ChatStreamTranslator,
  chatToResponse,
  type ReasoningSealer,
  type ResponseContext,
  type ResponsesPassthroughStream,
  ResponsesStreamEncoder,
  responsesId,
  responsesToChat,
  ToolNames,
} from "@ai-router/providers";
import { parseJsonObject } from "../http/read-body.js";
import { sendError } from "../http/respond.js";
import { validateBody } from "../http/validation.js";
import { asHistory, assembleConversation } from "../responses/conversation.js";
import type { ResponseStore, TurnRef } from "../responses/store.js";
import type { Ingress } from "./ingress.js";
import { forProvider } from "./messages.js";

type Json = Record<string, unknown>;

/** Longest wait for the response store before the answer goes out anyway. */
const STORE_WAIT_MS = 250;

export interface ResponsesDeps {
  store: ResponseStore;
  sealer: ReasoningSealer;
}

/** The request's input as items (a string is one user message), each with an id for `input_items`. */
function inputItems(input: ResponsesRequest["input"]): Json[] {
  if (input === undefined) return [];
  if (typeof input === "string") {
    return [{ id: responsesId("msg"), type: "message", role: "user", content: [{ type: "input_text", text: input }] }];
  }
  return input.map((i) => (i.id ? i : Object.assign({ id: responsesId(i.type === "function_call_output" ? "fco" : "msg") }, i)));
}

/** Router-sealed reasoning means nothing to OpenAI itself: left out of a native request's history. */
const isRouterReasoning = (i: Json) =>
  i.type === "reasoning" && typeof i.encrypted_content === "string" && i.encrypted_content.startsWith("air1.");

/**
 * A response that can take a translated stream's events as lines of JSON rather than SSE (a WebSocket
 * turn, websocket/turn-bridge.ts): the ingress says per attempt which of the two it writes.
 */
export interface EventLinesTarget {
  readonly acceptsEventLines: true;
  eventLines: boolean;
}

/**
 * A request whose sender already parsed and checked its body (a WebSocket turn, whose event was parsed
 * to be routed on the socket): the body is not parsed a second time.
 */
export interface ParsedBodyRequest {
  readonly parsedBody?: Record<string, unknown>;
}

const linesTarget = (res: unknown): EventLinesTarget | undefined =>
  (res as Partial<EventLinesTarget>).acceptsEventLines === true ? (res as EventLinesTarget) : undefined;

/** An error event in the Responses stream format, for a stream that had no encoder yet. */
const errorEvent = (err: RouterError): string => {
  const e = err.toBody().error;
  return `event: error\ndata: ${JSON.stringify({ type: "error", sequence_number: 0, code: e.code ?? e.type, message: e.message, param: e.param })}\n\n`;
};

/**
 * POST /v1/responses (OpenAI's Responses API). OpenAI targets get the request natively; every other
 * target gets it translated to the internal form (namespace tools flattened, built-in tools left out
 * and named in `x-router-warnings`) and its answer translated back into a Response object or the full
 * event stream. `store` keeps the response (per client key, with a TTL) for `previous_response_id` and
 * `GET/DELETE /v1/responses/{id}`.
 */
export function responsesIngress(deps: ResponsesDeps): Ingress {
  return {
    name: "openai-responses",
    endpoint: () => "responses",
    native: "responses",
    async parse(raw, ctx) {
      const json = (ctx.req as ParsedBodyRequest).parsedBody ?? parseJsonObject(raw);
      const body = validateBody(ResponsesRequest, json);
      const owner = ctx.key?.sha256 ?? "";
      let history: Json[] = [];
      let chain: string[] = [];
      let ancestors: TurnRef[] = [];
      const previous = body.previous_response_id ?? undefined;
      if (previous) {
        const conversation = await assembleConversation(deps.store, previous, owner, raw.length, ctx.table.settings.maxBodyBytes);
        history = conversation.items;
        chain = conversation.ids;
        ancestors = conversation.ancestors;
      }
      const input = inputItems(body.input);
      if (input.length === 0 && history.length === 0) {
        throw new RouterError("invalid_request", "Missing required parameter: 'input'.", { param: "input" });
      }
      const stream = body.stream === true;
      const id = responsesId("resp");
      const createdAt = Math.floor(Date.now() / 1000);
      let names = new ToolNames();
      const rctx = (providerType: string): ResponseContext => ({ id, createdAt, request: body, names, providerType, sealer: deps.sealer });
      let encoder: ResponsesStreamEncoder | undefined;
      let passthrough: ResponsesPassthroughStream | undefined;
      let final: Json | undefined;

      return {
        model: body.model,
        stream,
        maxTokens: body.max_output_tokens ?? undefined,
        json,
        nativeBody() {
          if (history.length === 0) return json;
          const merged = Object.assign({}, json);
          delete merged.previous_response_id;
          merged.input = [...history.filter((i) => !isRouterReasoning(i)), ...asHistory(input)];
          return merged;
        },
        toChat(type) {
          // The request's own input goes in with the history, in order.
          const form = responsesToChat(Object.assign({}, body, { input: undefined }), {
            providerType: type,
            history: [...history, ...asHistory(input)] as ResponsesInputItem[],
            sealer: deps.sealer,
          });
          names = form.names;
          return { req: forProvider(form.req, type), dropped: form.dropped, clientWantsUsage: stream };
        },
        fromChat(completion, type) {
          final = chatToResponse(JSON.parse(completion.toString()), rctx(type));
          return JSON.stringify(final);
        },
        // The attempt streaming now is the one an error after the first byte belongs to.
        encodeStream(inner, type) {
          const target = linesTarget(ctx.res);
          if (target) target.eventLines = true;
          encoder = new ResponsesStreamEncoder(inner, rctx(type), target !== undefined);
          passthrough = undefined;
          return encoder;
        },
        wrapNativeStream(inner: ChatStreamTranslator) {
          const target = linesTarget(ctx.res);
          if (target) target.eventLines = false;
          passthrough = inner as ResponsesPassthroughStream;
          encoder = undefined;
          return inner;
        },
        streamError: (err) => {
          const e = err.toBody().error;
          if (encoder) return encoder.fail(e.message, e.code ?? e.type);
          // A native stream cut mid-way ends as OpenAI ends a failed one.
          if (passthrough) return passthrough.fail(e.message, e.code ?? e.type);
          return errorEvent(err);
        },
        onServed(_t, bytes, native) {
          let response: Json | undefined;
          if (native) {
            if (bytes !== undefined) {
              try {
                response = JSON.parse(bytes.toString()) as Json;
              } catch {
                response = undefined;
              }
            } else response = passthrough?.final;
          } else response = bytes !== undefined ? final : encoder?.final;
          if (!response || body.store === false || typeof response.id !== "string") return;
          // This turn only (its input and output), linked to the turn it continued.
          const put = deps.store
            .put(response.id, previous ? { owner, response, input, previous, ancestors } : { owner, response, input }, chain)
            .catch(() => {
              // A store that is down loses this response only, never the answer.
            });
          // Stored before the answer goes out, but a slow store never holds an answer more than this.
          return Promise.race([put, new Promise<void>((resolve) => setTimeout(resolve, STORE_WAIT_MS).unref())]);
        },
      };
    },
    sendError,
    streamError: errorEvent,
  };
}
