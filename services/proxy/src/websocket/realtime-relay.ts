import type { IncomingMessage, ServerResponse } from "node:http";
import type { OpenAIUsage, TableClientKey } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { type ClientOptions, type RawData, WebSocket } from "ws";
import { z } from "zod";
import { authorizeModel } from "../http/auth.js";
import { newRequestId } from "../http/request-id.js";
import { hasLimits } from "../limits/key-limiter.js";
import type { RequestEnd } from "../record/request-end.js";
import { RequestRecord } from "../record/request-record.js";
import type { UsageRecorder } from "../record/usage-recorder.js";
import type { LiveTarget, RuntimeTable } from "../routing/runtime-table.js";
import { realtimeEgress } from "./realtime-egress.js";

const ROUTE = { ingress: "openai-realtime", endpoint: "realtime", estimate: "none" } as const;
/** Longest wait for a target's upstream socket to open before the next target is tried. */
const CONNECT_MS = 10_000;
/** Headers of the upgrade passed on to the provider (the client's key never is). */
const FORWARDED = ["openai-beta", "user-agent"];

/** The provider's realtime URL for a target: OpenAI `…/v1/realtime?model=`, Azure `…/openai/realtime?deployment=`. */
export function realtimeUrl(t: LiveTarget): URL {
  const cfg = t.live.config;
  const base = new URL(cfg.baseUrl);
  base.protocol = base.protocol === "http:" ? "ws:" : "wss:";
  const version = base.searchParams.get("api-version");
  base.search = "";
  base.pathname = `${base.pathname.replace(/\/+$/, "")}/realtime`;
  if (cfg.type === "azure-openai") {
    base.searchParams.set("api-version", version ?? "2024-10-01-preview");
    base.searchParams.set("deployment", t.upstreamModel);
  } else base.searchParams.set("model", t.upstreamModel);
  return base;
}

/** An open upstream realtime socket and the target it reached. */
export interface RealtimeUpstream {
  ws: WebSocket;
  target: LiveTarget;
  model: string;
}

/**
 * Picks the model's targets in the balancer's order and opens the provider's realtime socket with the
 * provider's key, failing over to the next target while one cannot be reached (the client's socket is
 * not accepted until one is). 404/400 for an unknown or non-realtime model, 502 when none opens.
 */
export async function openRealtimeUpstream(
  table: RuntimeTable,
  key: TableClientKey | undefined,
  model: string,
  upgrade: IncomingMessage,
): Promise<RealtimeUpstream> {
  const live = table.models.get(model);
  if (!live) throw new RouterError("model_not_found", `The model \`${model.slice(0, 200)}\` does not exist.`, { param: "model" });
  if (live.config.llmType !== "realtime") {
    throw new RouterError("unsupported_endpoint", `The model \`${model}\` is a ${live.config.llmType} model, not a realtime one.`, {
      param: "model",
    });
  }
  authorizeModel(key, model);
  const order = live.balancer.order({ promptTokens: 0, maxTokens: undefined, stream: true, now: Date.now() }) as LiveTarget[];
  let last: unknown;
  for (const t of order) {
    const type = t.live.config.type;
    if (type !== "openai" && type !== "azure-openai") continue;
    const headers: Record<string, string> = {};
    const k = t.live.nextKey();
    if (k !== undefined) {
      if (type === "azure-openai") headers["api-key"] = k;
      else headers.authorization = `Bearer ${k}`;
    }
    for (const h of FORWARDED) {
      const v = upgrade.headers[h];
      if (typeof v === "string") headers[h] = v;
    }
    try {
      const url = realtimeUrl(t);
      const ws = await connect(url, headers, await realtimeEgress(t.live.config, url, CONNECT_MS));
      return { ws, target: t, model };
    } catch (err) {
      last = err;
    }
  }
  throw new RouterError("upstream_unreachable", `No provider of \`${model}\` accepted a realtime connection.`, { cause: last });
}

function connect(url: URL, headers: Record<string, string>, egress: ClientOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, Object.assign({ headers, perMessageDeflate: false, handshakeTimeout: CONNECT_MS }, egress));
    ws.once("open", () => {
      ws.off("error", reject);
      resolve(ws);
    });
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      ws.terminate();
      reject(new Error(`upstream answered ${res.statusCode}`));
    });
  });
}

/** What a relay needs to record each response's usage as one request of the ledger. */
export interface RealtimeRecording {
  ends: RequestEnd;
  usage: UsageRecorder;
}

const count = z.number().nonnegative().catch(0).optional();
const cachedDetails = z.object({ text_tokens: count, audio_tokens: count }).partial().catch({}).optional();
const details = z
  .object({ cached_tokens: count, text_tokens: count, audio_tokens: count, cached_tokens_details: cachedDetails })
  .partial()
  .catch({})
  .optional();
/** A realtime `response.done`'s usage (text and audio tokens, cached): read tolerantly, unknown fields ignored. */
export const RealtimeUsage = z.object({
  input_tokens: count,
  output_tokens: count,
  input_token_details: details,
  output_token_details: details,
});
export type RealtimeUsage = z.infer<typeof RealtimeUsage>;
const ResponseDone = z.object({ response: z.object({ usage: RealtimeUsage.nullish().catch(undefined) }).optional() });

const DONE = '"response.done"';
const CREATED = '"response.created"';

/**
 * Relays one realtime session both ways, frame for frame and in order (text stays text, binary
 * binary). Each upstream `response.done` is one usage record (text and audio tokens, cached tokens)
 * at the target's price, charged to the client key. A side closing closes the other; a side that
 * does not read (more than `maxBuffered` bytes waiting for it) is closed with 1008.
 */
export class RealtimeRelay {
  /** Responses started upstream and not done yet (shutdown waits for them). */
  private open = 0;
  /** When the oldest response in progress was created (its record's latency counts from here). */
  private startedAt = performance.now();
  onIdle: (() => void) | undefined;

  constructor(
    client: WebSocket,
    private readonly up: RealtimeUpstream,
    private readonly key: TableClientKey | undefined,
    private readonly rec: RealtimeRecording,
    private readonly maxBuffered: number,
    onClientMessage: () => void,
  ) {
    const upWs = up.ws;
    client.on("message", (data: RawData, isBinary) => {
      onClientMessage();
      this.forward(upWs, data, isBinary, client);
    });
    upWs.on("message", (data: RawData, isBinary) => {
      if (!isBinary) this.watch(data);
      this.forward(client, data, isBinary, upWs);
    });
    const closeBoth = (code: number, reason: string) => {
      for (const s of [client, upWs]) {
        if (s.readyState === WebSocket.OPEN) s.close(code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1011, reason);
        else if (s.readyState === WebSocket.CONNECTING) s.terminate();
      }
    };
    client.on("close", () => closeBoth(1000, ""));
    upWs.on("close", (code, reason) => closeBoth(code, reason.toString().slice(0, 100)));
    upWs.on("error", () => closeBoth(1011, "upstream error"));
  }

  get idle(): boolean {
    return this.open === 0;
  }

  close(): void {
    this.up.ws.terminate();
  }

  private forward(to: WebSocket, data: RawData, isBinary: boolean, from: WebSocket): void {
    if (to.readyState !== WebSocket.OPEN) return;
    if (to.bufferedAmount > this.maxBuffered) {
      to.close(1008, "peer too slow: send buffer full");
      from.close(1008, "peer too slow: send buffer full");
      return;
    }
    to.send(data, { binary: isBinary });
  }

  /** Only `response.created` and `response.done` frames are parsed; audio deltas pass untouched. */
  private watch(data: RawData): void {
    const buf = data as Buffer;
    // The type comes first in OpenAI's events; a bounded look at the head finds it without decoding the rest.
    const head = buf.toString("utf8", 0, Math.min(buf.length, 64));
    if (head.includes(CREATED)) {
      if (this.open++ === 0) this.startedAt = performance.now();
      return;
    }
    if (!head.includes(DONE)) return;
    this.open = Math.max(0, this.open - 1);
    let usage: RealtimeUsage | undefined;
    try {
      const done = ResponseDone.safeParse(JSON.parse(buf.toString()));
      usage = done.success ? (done.data.response?.usage ?? undefined) : undefined;
    } catch {
      usage = undefined;
    }
    this.record(usage);
    if (this.open === 0) this.onIdle?.();
  }

  private record(u: RealtimeUsage | undefined): void {
    const r = new RequestRecord(newRequestId(), ROUTE);
    const t = this.up.target;
    r.model = this.up.model;
    r.key = this.key?.name ?? null;
    r.keyId = this.key ? (this.key.id ?? this.key.name) : null;
    r.stream = true;
    r.outcome = "served";
    r.answered = true;
    r.provider = t.provider;
    r.upstreamModel = t.upstreamModel;
    r.price = t.price;
    if (u !== undefined) r.usage = toOpenAIUsage(u);
    const limiter = this.key !== undefined && hasLimits(this.key) ? this.rec.usage.keyLimits.get(this.key.sha256) : undefined;
    this.rec.ends.end(r, doneTransport(this.startedAt), { limiter, reservation: undefined, localReserve: 0, trace: undefined }, true);
  }
}

/**
 * Realtime usage as the record's OpenAI usage: all tokens (text, audio, images) in the prompt and
 * completion counts, and the audio ones among them apart, so that a price with audio fields prices
 * them at the audio prices (record/cost.ts); without such fields they cost what text tokens cost.
 */
export function toOpenAIUsage(u: RealtimeUsage): OpenAIUsage {
  const num = (v: number | undefined) => (v !== undefined && Number.isFinite(v) && v > 0 ? Math.round(v) : 0);
  const out: OpenAIUsage = {
    prompt_tokens: num(u.input_tokens),
    completion_tokens: num(u.output_tokens),
    total_tokens: num(u.input_tokens) + num(u.output_tokens),
    prompt_tokens_details: { cached_tokens: num(u.input_token_details?.cached_tokens) },
  };
  const audioIn = num(u.input_token_details?.audio_tokens);
  const audioOut = num(u.output_token_details?.audio_tokens);
  if (audioIn > 0 || audioOut > 0) {
    out.input_audio_tokens = audioIn;
    out.cached_input_audio_tokens = num(u.input_token_details?.cached_tokens_details?.audio_tokens);
    out.output_audio_tokens = audioOut;
  }
  return out;
}

/** A response over a socket has no HTTP exchange of its own: its end reads zero bytes and a 200. */
const doneTransport = (start: number) => ({
  req: { headers: {}, socket: { bytesRead: 0, bytesWritten: 0 } } as unknown as IncomingMessage,
  res: { headersSent: true, statusCode: 200 } as unknown as ServerResponse,
  start,
  written0: 0,
  read0: 0,
  aborted: false,
  queuedMs: 0,
});
