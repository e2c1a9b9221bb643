import { vi } from "vitest";

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}
type Handler = (call: Call) => { status?: number; body?: unknown; text?: string; headers?: Record<string, string> } | undefined;

/** A fetch stand-in: `routes` maps "METHOD /path" to a handler; every call is recorded. */
export function fakeApi(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://console.test");
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const call: Call = {
      method: init?.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers,
      body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const h = routes[`${call.method} ${call.path}`];
    const out = h?.(call) ?? {
      status: 404,
      body: {
        error: {
          message: `Unknown request URL: ${call.method} ${call.path}`,
          type: "invalid_request_error",
          param: null,
          code: "unknown_url",
        },
      },
    };
    const status = out.status ?? 200;
    return new Response(out.text ?? JSON.stringify(out.body ?? {}), {
      status,
      headers: { "content-type": out.text ? "text/csv" : "application/json", ...out.headers },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}

export const apiError = (status: number, message: string, code: string, param: string | null = null) => ({
  status,
  body: { error: { message, type: "invalid_request_error", param, code } },
});

const ts = "2026-11-29T10:00:00.000Z";
export const provider = (id: number, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  type: "PUBLIC_CLOUD",
  provider_type: "PUBLIC_CLOUD",
  adapter: "openai-compatible",
  base_url: "http://127.0.0.1:9999/v1",
  official_endpoint: "http://127.0.0.1:9999/v1",
  third_party_endpoint: null,
  description: null,
  is_enabled: true,
  timeout_ms: 60000,
  connect_timeout_ms: 5000,
  headers: {},
  stream_usage: true,
  max_connections: 256,
  params: {},
  proxy_url: null,
  ca_file: null,
  cert_file: null,
  key_file: null,
  tls_insecure_skip_verify: false,
  http2: "auto",
  api_keys: [{ id: 1, name: null, masked: "sk-...abcd", is_enabled: true, created_at: ts, rotated_at: null }],
  created_at: ts,
  updated_at: ts,
  ...extra,
});
export const model = (id: number, name: string, providers: { id: number; name: string }[] = []) => ({
  id,
  name,
  type: "chat",
  llm_type: "chat",
  visibility: "PUBLIC",
  description: null,
  is_enabled: true,
  strategy: "weighted_round_robin",
  strategy_options: {},
  params: {},
  strict: false,
  stream_continuation: false,
  affinity: null,
  providers: providers.map((p) => ({
    provider_id: p.id,
    provider_name: p.name,
    weight: 10,
    is_preferred: false,
    priority: 0,
    upstream_model: null,
    price: { input_per_mtok: 1, output_per_mtok: 2 },
    health_check: true,
    params: {},
    is_enabled: true,
    created_at: ts,
    updated_at: ts,
  })),
  created_at: ts,
  updated_at: ts,
});
export const clientKey = (id: number, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  prefix: "sk-router-abcd",
  models: null,
  rpm_limit: null,
  tpm_limit: null,
  budget_usd: null,
  spent_usd: 0,
  budget_remaining_usd: null,
  spend_reset_at: null,
  expires_at: null,
  revoked: false,
  created_at: ts,
  updated_at: ts,
  ...extra,
});
