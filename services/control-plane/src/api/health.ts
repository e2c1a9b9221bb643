import { decryptSecret, HealthViewOut, IdParam, ProviderTestOut } from "@ai-router/contracts";
import { openProviderSecrets, probePath, probeProvider, toRuntimeProvider } from "@ai-router/providers";
import { toTableProvider } from "../compile/compile-db.js";
import { badRequest, notFound, parseParam } from "../http/errors.js";
import type { LiveHealth } from "../nats/live-health.js";
import { audit } from "./audit.js";
import { type ApiContext, actor } from "./context.js";
import { probeReason } from "./probe-reason.js";

const tag = "health";
/** A test from the console never waits longer than this, whatever the provider's own timeout. */
const TEST_TIMEOUT_MS = 10_000;
/** The request field each reason a provider cannot be tested names. */
const problemParam = { unknown_type: "adapter", no_base_url: "base_url", no_key: "api_key" } as const;

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
        "Runs the health worker's probe once from the control plane: the provider's free model list (`GET {base_url}/models`, Anthropic `/v1/models`, Gemini `/v1beta/models`) with its first enabled key and the headers its adapter sends on real requests. Never costs tokens. `ok` is true on a 2xx; `error` is a short classified reason (`HTTP 401: unauthorized (check the key)`, `connection refused (ECONNREFUSED)`...), never the upstream's answer. Each test is in the audit log. A provider the routing table would leave out (unknown adapter, no base URL, no enabled key where one is needed) answers 400.",
      response: ProviderTestOut,
      errors: [400, 404],
    },
    async (req) => {
      const id = parseParam(IdParam, req, "id");
      const p = await prisma.provider.findUnique({
        where: { id },
        include: { keys: { where: { isEnabled: true }, orderBy: { id: "asc" } } },
      });
      if (!p) throw notFound(`Provider ${id}`);
      // The table's own conversion, then its secrets opened as a proxy opens them: the probe sends
      // exactly what real requests will (header values are stored sealed, like keys).
      const converted = toTableProvider(p);
      if (!converted.ok) throw badRequest(`Provider "${p.name}": ${converted.why}.`, problemParam[converted.problem]);
      const opened = openProviderSecrets(converted.provider, (s) => decryptSecret(s, ctx.masterKey));
      const provider = toRuntimeProvider(converted.provider, opened.apiKeys, opened.headers);
      const path = probePath(provider.type, provider.basePath);
      const r = await probeProvider(
        { provider, upstreamModel: "connection-test" },
        { maxTimeoutMs: TEST_TIMEOUT_MS, apiKey: opened.apiKeys[0] },
      );
      const error = probeReason(r);
      await audit(prisma, actor(ctx, req), "test_connection", "provider", id, {
        target: provider.origin,
        ok: r.ok,
        status: r.status,
        error,
      });
      return {
        provider: p.name,
        ok: r.ok,
        status: r.status,
        latency_ms: r.latencyMs,
        error,
        request: path === undefined ? null : `GET ${provider.origin}${provider.basePath}${path}`,
        checked_at: new Date().toISOString(),
      };
    },
  );
}
