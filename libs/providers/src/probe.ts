import type { ProviderType } from "@ai-router/contracts";
import { maskSecret } from "@ai-router/logger";
import { Agent, type Dispatcher, request } from "undici";
import type { RuntimeProvider } from "./adapter.js";
import type { ProviderDescriptor } from "./descriptor.js";
import { getAdapter, getDescriptor } from "./registry.js";
import { describeTransportFailure } from "./transport/describe-failure.js";
import { createUpstreamTransport } from "./transport/upstream-dispatcher.js";

/** What one probe found. */
export interface ProbeResult {
  ok: boolean;
  /** HTTP status; null when no answer came (refused, timed out) or the provider answers locally. */
  status: number | null;
  latencyMs: number;
  /** Why it failed, secrets masked; null on success. */
  error: string | null;
}

/** One provider as the worker probes it: the table row with its keys opened, and a model it serves. */
export interface ProbeTarget {
  provider: RuntimeProvider;
  /** An upstream model of a health-checked link (only used to build the request headers). */
  upstreamModel: string;
  /**
   * The provider's own connections (its egress proxy, TLS settings and HTTP version: see
   * {@link probeTransport}), so a probe goes the way requests go. Absent: a shared direct pool.
   */
  dispatcher?: Dispatcher;
}

/**
 * A small pool for probing `p` the way the proxies reach it (egress proxy, ca_file, client certificate,
 * HTTP/2), from {@link createUpstreamTransport}. Throws TransportConfigError when its settings cannot be
 * used (a missing file): the caller reports the provider as not probed, with that reason.
 */
export function probeTransport(p: RuntimeProvider, env: NodeJS.ProcessEnv = process.env): Dispatcher {
  return createUpstreamTransport(p, { env, connections: 4, keepAliveTimeout: 1_000 }).dispatcher;
}

/**
 * The free, token-less endpoint probed for a provider (its model list), from the provider's
 * descriptor. Undefined for providers that answer locally (`mock`) or a type this build lacks.
 */
export function probePath(type: ProviderType, basePath: string): string | undefined {
  return getDescriptor(type)?.probePath(basePath);
}

/**
 * The headers that authenticate the provider (key header, API version, the provider's own extra
 * headers), from the provider's descriptor: the same ones its live requests carry.
 */
export function probeHeaders(
  descriptor: ProviderDescriptor,
  provider: RuntimeProvider,
  apiKey: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(descriptor.authHeaders({ headers: provider.headers, apiKey }))) headers[k.toLowerCase()] = v;
  headers.accept = "application/json";
  return headers;
}

/** Masks every key of the provider, and anything shaped like a well-known key, in a message. */
export function maskSecrets(text: string, keys: readonly string[]): string {
  let out = text;
  for (const k of keys) if (k.length >= 6) out = out.replaceAll(k, maskSecret(k));
  return out
    .replace(/\bsk-[A-Za-z0-9_-]{12,}/g, (m) => maskSecret(m))
    .replace(/\bAIza[0-9A-Za-z_-]{20,}/g, (m) => maskSecret(m))
    .replace(/\b(Bearer\s+)[^\s"',]{8,}/gi, "$1[redacted]");
}

const MAX_ERROR_CHARS = 300;
const ERROR_BODY_BYTES = 8 * 1024;

export interface ProbeOptions {
  /** Upper bound of the whole probe; the provider's `timeoutMs` applies when shorter. */
  maxTimeoutMs: number;
  /** The key to send (rotated by the caller); undefined when the provider has none. */
  apiKey: string | undefined;
  dispatcher?: Dispatcher;
  now?: () => number;
}

const defaultAgent = new Agent({ keepAliveTimeout: 1_000, connections: 4 });

/** Probes one provider. Never throws: every failure is a result with `ok: false`. */
export async function probeProvider(target: ProbeTarget, opts: ProbeOptions): Promise<ProbeResult> {
  const now = opts.now ?? performance.now.bind(performance);
  const p = target.provider;
  const adapter = getAdapter(p.type);
  if (!adapter) return { ok: false, status: null, latencyMs: 0, error: `provider type "${p.type}" is not supported by this build` };
  const path = adapter.descriptor.probePath(p.basePath);
  if (adapter.transport || path === undefined) return { ok: true, status: null, latencyMs: 0, error: null };
  const timeoutMs = Math.min(p.timeoutMs, opts.maxTimeoutMs);
  const started = now();
  const elapsed = () => Math.round((now() - started) * 10) / 10;
  const mask = (s: string) => maskSecrets(s, p.apiKeys).slice(0, MAX_ERROR_CHARS);
  try {
    const res = await request(`${p.origin}${p.basePath}${path}`, {
      method: "GET",
      headers: probeHeaders(adapter.descriptor, p, opts.apiKey),
      dispatcher: opts.dispatcher ?? target.dispatcher ?? defaultAgent,
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (res.statusCode >= 200 && res.statusCode < 300) {
      await res.body.dump({ limit: 4 * 1024 * 1024 }); // a model list; read so the answer is complete
      return { ok: true, status: res.statusCode, latencyMs: elapsed(), error: null };
    }
    const body = await readCapped(res.body, ERROR_BODY_BYTES);
    const latencyMs = elapsed();
    const message = adapter.parseError(res.statusCode, body).message;
    return { ok: false, status: res.statusCode, latencyMs, error: mask(`HTTP ${res.statusCode}: ${message}`) };
  } catch (err) {
    return { ok: false, status: null, latencyMs: elapsed(), error: mask(describeError(err, timeoutMs)) };
  }
}

async function readCapped(body: Dispatcher.ResponseData["body"], max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    const b = c as Buffer;
    chunks.push(b);
    size += b.length;
    if (size >= max) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, max);
}

function describeError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (
    e?.name === "TimeoutError" ||
    e?.name === "AbortError" ||
    e?.code === "UND_ERR_HEADERS_TIMEOUT" ||
    e?.code === "UND_ERR_BODY_TIMEOUT"
  ) {
    return `timed out after ${timeoutMs} ms`;
  }
  const code = e?.code ?? e?.cause?.code;
  const transport = describeTransportFailure(err);
  if (transport !== undefined) return transport;
  if (code === "ECONNREFUSED") return "connection refused (ECONNREFUSED)";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `host not found (${code})`;
  if (code === "UND_ERR_CONNECT_TIMEOUT") return "connect timed out";
  const msg = e?.message ?? String(err);
  return code ? `${msg} (${code})` : msg;
}
