import { isSealed, type ProviderUpdate } from "@ai-router/contracts";
import { badRequest } from "../http/errors.js";

/** Where a provider's requests go: scheme, host and port of its endpoint; null when none is set. */
export function endpointOrigin(official: string | null, thirdParty: string | null): string | null {
  const url = official ?? thirdParty;
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** A provider update that moves its requests to another origin, as the audit log records it. */
export interface HostChange {
  from: string | null;
  to: string;
  /** re-entered: new keys (and headers) came with the change; confirmed: `confirm_new_host` sent the stored ones; none: nothing stored. */
  secrets: "re-entered" | "confirmed" | "none";
}

interface StoredProvider {
  name: string;
  officialEndpoint: string | null;
  thirdPartyEndpoint: string | null;
  keys: readonly unknown[];
  headers: unknown;
}

/**
 * The stored provider keys and sealed headers are sent with every request to the provider's endpoint
 * (and by "test connection"). An update that points the endpoint at another host must therefore bring
 * them again (`api_key`, and `headers` when some are stored), or say `confirm_new_host: true` to send
 * the stored ones there; otherwise an admin token could read every stored key by moving its provider
 * to a host it owns. Returns the change to audit, or undefined when the origin stays.
 */
export function checkHostChange(p: StoredProvider, b: ProviderUpdate): HostChange | undefined {
  const official = b.base_url ?? b.official_endpoint;
  const from = endpointOrigin(p.officialEndpoint, p.thirdPartyEndpoint);
  const to = endpointOrigin(
    official === undefined ? p.officialEndpoint : official,
    b.third_party_endpoint === undefined ? p.thirdPartyEndpoint : b.third_party_endpoint,
  );
  if (to === null || to === from) return undefined;
  const storedHeaders = p.headers !== null && typeof p.headers === "object" && Object.keys(p.headers).length > 0;
  if (p.keys.length === 0 && !storedHeaders) return { from, to, secrets: "none" };
  if (b.confirm_new_host === true) return { from, to, secrets: "confirmed" };
  const missing = [
    ...(p.keys.length > 0 && b.api_key === undefined ? ["api_key"] : []),
    ...(storedHeaders && b.headers === undefined ? ["headers"] : []),
  ];
  if (missing.length > 0) {
    throw badRequest(
      `The endpoint of provider "${p.name}" moves from ${from ?? "none"} to ${to}: give ${missing.join(" and ")} again (stored secrets are never sent to a new host unasked), or set confirm_new_host: true to send the stored ones there.`,
      missing[0],
    );
  }
  if (b.headers && Object.values(b.headers).some(isSealed)) {
    throw badRequest("headers: give the values in plain text when the endpoint moves to another host.", "headers");
  }
  return { from, to, secrets: "re-entered" };
}
