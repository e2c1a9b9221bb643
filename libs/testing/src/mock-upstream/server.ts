import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { anthropicRoutes } from "./anthropic.js";
import { BehaviorQueue, type MockBehavior } from "./behavior.js";
import { geminiRoutes } from "./gemini.js";
import { createMockServer, forHttpVersion, type MockListen, type MockServer } from "./listener.js";
import { readMockForm } from "./openai.js";
import { MALFORMED, openAIRoutes } from "./openai-routes.js";
import { PromptCache, type PromptCacheOptions } from "./prompt-cache.js";

/** A request the mock received, for assertions. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  /** Parsed JSON, a `MockForm` for multipart/form-data, else the text (undefined when empty). */
  body: unknown;
  /** The model named in the path (Gemini's `/models/{model}:generateContent`), when the route has one. */
  model?: string;
  /** "1.1" or "2.0". */
  httpVersion?: string;
}

/** Context handed to a route handler. */
export interface MockContext {
  req: IncomingMessage;
  res: ServerResponse;
  body: unknown;
  behavior: MockBehavior;
  /** Writes stream chunks honouring chunkDelayMs / cutAfterChunks; resolves when done. */
  writeStream(chunks: string[], headers?: Record<string, string>): Promise<void>;
  models: string[];
  /** The prompt cache the mock models, when started with `promptCache`. */
  promptCache?: PromptCache | undefined;
}

export type MockRoute = (ctx: MockContext) => void | Promise<void>;

/** A handler and the error writer for its wire format. */
export interface MockRouteEntry {
  method: string;
  /** Matched against the end of the request path (so any base path works). */
  suffix: string;
  handle: MockRoute;
  sendError(res: ServerResponse, b: MockBehavior, status: number): void;
  /** Reads the model from the path, for formats that put it there (recorded as `model`). */
  modelOf?(path: string): string | undefined;
}

export interface MockUpstreamOptions extends MockListen {
  port?: number;
  /** Model ids listed by GET /models. */
  models?: string[];
  /** Extra routes (other wire formats register here). */
  routes?: MockRouteEntry[];
  /** Keep no record of requests (load tests). */
  record?: boolean;
  /** Model a provider's prompt cache: OpenAI chat answers report `cached_tokens` (see prompt-cache.ts). */
  promptCache?: PromptCacheOptions | boolean;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/**
 * A faithful fake of provider HTTP APIs (OpenAI, Anthropic and Gemini by default; more via `routes`) that can be
 * told to fail: a status, a delay, a refused connection, a stream cut mid-way.
 */
export class MockUpstream {
  readonly behavior = new BehaviorQueue();
  readonly requests: RecordedRequest[] = [];
  private server: MockServer;
  private readonly sockets = new Set<Socket>();
  private readonly routes: MockRouteEntry[];
  private readonly record: boolean;
  /** The prompt cache, when the mock models one. */
  readonly promptCache: PromptCache | undefined;
  models: string[];
  port = 0;
  /** Responses in progress now (an HTTP/2 stream or an HTTP/1.1 exchange). */
  open = 0;
  /** Responses closed before they were finished (the client reset the stream or closed the connection). */
  cutByClient = 0;

  constructor(private readonly opts: MockUpstreamOptions = {}) {
    this.routes = [...(opts.routes ?? []), ...anthropicRoutes, ...geminiRoutes, ...openAIRoutes];
    this.models = opts.models ?? ["gpt-4o", "gpt-4o-mini"];
    this.record = opts.record ?? true;
    this.promptCache = opts.promptCache ? new PromptCache(opts.promptCache === true ? {} : opts.promptCache) : undefined;
    this.server = this.makeServer();
  }

  get url(): string {
    return `${this.opts.tls ? "https" : "http"}://127.0.0.1:${this.port}`;
  }

  /** Connections (TCP or TLS) open now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** The OpenAI-style base URL (`.../v1`). */
  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.port || this.opts.port || 0, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and drops open connections: new connections are refused. */
  async refuse(): Promise<void> {
    await this.close();
    this.server = this.makeServer();
  }

  /** Listens again on the same port after `refuse()`. */
  async accept(): Promise<void> {
    await this.start();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Requests whose path ends with `suffix`. */
  received(suffix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith(suffix));
  }

  private makeServer(): MockServer {
    return createMockServer(this.opts, (req, res) => void this.onRequest(req, res), this.sockets);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    const contentType = req.headers["content-type"] ?? "";
    let body: unknown;
    if (/^multipart\/form-data/i.test(contentType)) {
      body = (await readMockForm(bytes, contentType)) ?? MALFORMED;
    } else {
      const raw = bytes.toString("utf8");
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
    }
    const path = (req.url ?? "/").split("?")[0] as string;
    const route = this.routes.find((r) => r.method === req.method && path.endsWith(r.suffix));
    if (this.record) {
      const model = route?.modelOf?.(path);
      const at = { method: req.method ?? "GET", path, headers: req.headers, body, httpVersion: req.httpVersion };
      this.requests.push(model !== undefined ? Object.assign(at, { model }) : at);
    }
    if (!route) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ error: { message: `Unknown path ${path}`, type: "invalid_request_error", param: null, code: "unknown_url" } }),
      );
      return;
    }
    const b = this.behavior.take();
    const aborted = new AbortController();
    this.open++;
    res.on("close", () => {
      this.open--;
      if (!res.writableEnded) this.cutByClient++;
      aborted.abort();
    });
    if (b.delayMs) await sleep(b.delayMs, aborted.signal);
    if (aborted.signal.aborted) return;
    if (b.destroy) {
      req.socket.destroy();
      return;
    }
    if (b.status && b.status >= 400) return route.sendError(res, b, b.status);
    const writeStream = async (list: string[], headers?: Record<string, string>) => {
      res.writeHead(
        200,
        forHttpVersion(req, {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache",
          connection: "keep-alive",
          ...headers,
          ...b.headers,
        }),
      );
      for (let i = 0; i < list.length; i++) {
        if (b.cutAfterChunks !== undefined && i >= b.cutAfterChunks) {
          // Let what was written reach the client first, then drop the connection mid-stream.
          await sleep(30, aborted.signal);
          res.socket?.destroy();
          return;
        }
        if (b.chunkDelayMs && i > 0) await sleep(b.chunkDelayMs, aborted.signal);
        if (aborted.signal.aborted) return;
        if (b.cutAfterChunks !== undefined) await new Promise<void>((resolve) => res.write(list[i], () => resolve()));
        else res.write(list[i]);
      }
      res.end();
    };
    await route.handle({ req, res, body, behavior: b, writeStream, models: this.models, promptCache: this.promptCache });
  }
}

/** Starts a mock upstream on a free loopback port. */
export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  return new MockUpstream(opts).start();
}
