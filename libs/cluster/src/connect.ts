import { connect, type NatsConnection } from "@nats-io/transport-node";

/** NATS credentials: `NATS_USER` / `NATS_PASSWORD`, or given in the URL (`nats://user:password@host:4222`). */
export interface NatsCredentials {
  user?: string | undefined;
  password?: string | undefined;
}

/**
 * The servers and credentials of a `NATS_URL` (comma-separated servers allowed). Credentials in a URL
 * are taken out of it (the client would otherwise log them with the server address); explicit
 * `NATS_USER` / `NATS_PASSWORD` win over the URL's.
 */
export function natsConnectOptions(url: string, creds: NatsCredentials = {}): { servers: string[]; user?: string; pass?: string } {
  let user = creds.user || undefined;
  let pass = creds.password || undefined;
  const servers = url
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const withScheme = s.includes("://") ? s : `nats://${s}`;
      let u: URL;
      try {
        u = new URL(withScheme);
      } catch {
        return s;
      }
      if (!u.username && !u.password) return s;
      user ??= decodeURIComponent(u.username);
      pass ??= decodeURIComponent(u.password);
      return `${u.protocol}//${u.host}`;
    });
  return { servers, ...(user !== undefined ? { user } : {}), ...(pass !== undefined ? { pass } : {}) };
}

/** The credentials of a service environment (`NATS_USER`, `NATS_PASSWORD`). */
export const natsCredentials = (env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env): NatsCredentials => ({
  user: env.NATS_USER,
  password: env.NATS_PASSWORD,
});

/**
 * A NATS connection that waits for the first connect and then reconnects forever, with the ping
 * settings every AI Router service uses (a dead server is noticed within ~10 s).
 */
export function connectForever(servers: string, name: string, creds: NatsCredentials = natsCredentials()): Promise<NatsConnection> {
  return connect({
    ...natsConnectOptions(servers, creds),
    name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 5_000,
    maxPingOut: 2,
  });
}
