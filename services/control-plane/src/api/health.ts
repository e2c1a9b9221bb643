import { decryptSecret, HealthViewOut, IdParam, ProviderTestOut, type ProviderType } from "@ai-router/contracts";
import { defaultBaseUrl, getAdapter, probePath, probeProvider, toRuntimeProvider } from "@ai-router/providers";
import { badRequest, notFound, parseParam } from "../http/errors.js";
import type { LiveHealth } from "../nats/live-health.js";
import type { ApiContext } from "./context.js";

const tag = "health";
/** A test from the console never waits longer than this, whatever the provider's own timeout. */
const TEST_TIMEOUT_MS = 10_000;

/** Live health for the console, and the "test connection" probe. */
export function healthRoutes(
  ctx: ApiContext,
  live: LiveHealth | undefined,
  status: () => { revision: number | null; nats: boolean },
): void {
  const { api, prisma } = ctx;

  api.route(
    {
      method: "get",
      path: "/v1/db/health",
      tag,
      summary: "Probe results and per-target breakers and moving averages",
      description:
        "`probes`: the last health-worker probe of each provider (heard over NATS since this control plane started). `replicas`: each live proxy's targets (breaker, availability, latency / TTFT / tokens-per-second moving averages, probe verdict), reported every 5 s.",
      response: HealthViewOut,
    },
    () => {
      const s = status();
      return { revision: s.revision, nats: s.nats ? "connected" : "disconnected", ...(live?.view() ?? { probes: [], replicas: [] }) };
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/db/providers/:id/test",
      tag: "providers",
      summary: "Test a provider's connection (one probe, now)",
      description:
        "Runs the health worker's probe once from the control plane: the provider's free model list (`GET {base_url}/models`, Anthropic `/v1/models`, Gemini `/v1beta/models`) with its first enabled key and the headers its adapter sends on real requests. Never costs tokens. `ok` is true on a 2xx; `error` says why not, secrets masked.",
      response: ProviderTestOut,
      errors: [404],
    },
    async (req) => {
      const id = parseParam(IdParam, req, "id");
      const p = await prisma.provider.findUnique({
        where: { id },
        include: { keys: { where: { isEnabled: true }, orderBy: { id: "asc" } } },
      });
      if (!p) throw notFound(`Provider ${id}`);
      const type = p.adapter as ProviderType;
      if (!getAdapter(type)) throw badRequest(`Adapter "${p.adapter}" is not available in this build.`, "adapter");
      const baseUrl = (p.officialEndpoint ?? p.thirdPartyEndpoint ?? defaultBaseUrl(type) ?? "").replace(/\/+$/, "");
      if (!baseUrl) throw badRequest(`Provider "${p.name}" has no base URL.`, "base_url");
      const keys = p.keys.map((k) => decryptSecret(k.secret, ctx.masterKey));
      const provider = toRuntimeProvider(
        {
          name: p.name,
          type,
          baseUrl,
          apiKeys: p.keys.map((k) => k.secret),
          timeoutMs: p.timeoutMs,
          connectTimeoutMs: p.connectTimeoutMs,
          headers: (p.headers ?? {}) as Record<string, string>,
          streamUsage: p.streamUsage,
          maxConnections: p.maxConnections,
        },
        keys,
      );
      const path = probePath(type, provider.basePath);
      const r = await probeProvider({ provider, upstreamModel: "connection-test" }, { maxTimeoutMs: TEST_TIMEOUT_MS, apiKey: keys[0] });
      return {
        provider: p.name,
        ok: r.ok,
        status: r.status,
        latency_ms: r.latencyMs,
        error: r.error,
        request: path === undefined ? null : `GET ${provider.origin}${provider.basePath}${path}`,
        checked_at: new Date().toISOString(),
      };
    },
  );
}
