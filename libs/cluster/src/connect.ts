import { connect, type NatsConnection } from "@nats-io/transport-node";

/**
 * A NATS connection that waits for the first connect and then reconnects forever, with the ping
 * settings every AI Router service uses (a dead server is noticed within ~10 s).
 */
export function connectForever(servers: string, name: string): Promise<NatsConnection> {
  return connect({
    servers,
    name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 5_000,
    maxPingOut: 2,
  });
}
