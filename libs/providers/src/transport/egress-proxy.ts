/**
 * Which egress proxy a provider's connections go through: its own `proxy_url`, else the standard
 * environment (`HTTPS_PROXY` for https origins, `HTTP_PROXY` for http ones, lower-case forms too, the
 * upper-case form winning as in undici's EnvHttpProxyAgent), unless `NO_PROXY` names the host. A
 * provider has one origin, so this is decided once when its pool is built, never per request.
 */
export function proxyFor(origin: URL, own: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (own !== undefined) return own;
  const https = origin.protocol === "https:";
  const proxy = https ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!proxy) return undefined;
  return bypassesProxy(origin, env.NO_PROXY ?? env.no_proxy ?? "") ? undefined : proxy;
}

/**
 * `NO_PROXY` as curl and undici read it: entries split by commas or spaces; `*` matches every host; an
 * entry matches its host and every subdomain (`example.com`, `.example.com` and `*.example.com` all
 * match `api.example.com`); an entry with `:port` matches that port only. IP addresses match exactly.
 */
export function bypassesProxy(origin: URL, noProxy: string): boolean {
  const host = origin.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = origin.port || (origin.protocol === "https:" ? "443" : "80");
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return true;
    // `[::1]:8080`, `host:8080`, or a name / bare address (an IPv6 address has several colons).
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const colon = entry.indexOf(":");
    const hasPort = !bracketed && colon > 0 && colon === entry.lastIndexOf(":");
    const name = (bracketed ? (bracketed[1] as string) : hasPort ? entry.slice(0, colon) : entry).replace(/^\*?\./, "");
    const entryPort = bracketed ? bracketed[2] : hasPort ? entry.slice(colon + 1) : undefined;
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** A URL with its user and password masked (`http://***@proxy:3128`), for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username || u.password ? "***@" : ""}${u.host}`;
  } catch {
    return "(invalid URL)";
  }
}
