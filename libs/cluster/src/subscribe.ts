import type { Signer } from "@ai-router/contracts";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { z } from "zod";

/**
 * Subscribes to a core-NATS subject whose messages are signed JSON of one zod schema (see
 * `createSigner` in libs/contracts; the subject is the signing context): `onValid` gets each valid
 * message; one that is unsigned, badly signed, not JSON or fails the schema goes to `onInvalid` (if
 * given) and is dropped, never thrown into the connection.
 */
export function subscribeValid<S extends z.ZodType>(
  nc: NatsConnection,
  signer: Signer,
  subject: string,
  schema: S,
  onValid: (value: z.infer<S>) => void,
  onInvalid?: (why: string) => void,
): Subscription {
  return nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return;
      const v = signer.verify(msg.data, subject);
      if (!v.ok) return onInvalid?.(`${v.reason} message`);
      let body: unknown;
      try {
        body = JSON.parse(v.payload);
      } catch {
        return onInvalid?.("not valid JSON");
      }
      const r = schema.safeParse(body);
      if (r.success) onValid(r.data);
      else onInvalid?.(r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    },
  });
}

/**
 * Publishes `value` as signed JSON on a core-NATS subject (the subject is the signing context). Returns
 * false when the connection is closed or the publish failed (the callers' next tick publishes again);
 * a failure other than a closed connection (a payload over the server's max_payload...) goes to
 * `onFail`, so it is never silent.
 */
export function publishSigned(nc: NatsConnection, signer: Signer, subject: string, value: unknown, onFail?: (err: Error) => void): boolean {
  if (nc.isClosed()) return false;
  try {
    nc.publish(subject, signer.sign(value === undefined ? "" : JSON.stringify(value), subject));
    return true;
  } catch (err) {
    onFail?.(err as Error);
    return false;
  }
}

/** An `onFail` for periodic publishers: a warning at most once per `everyMs` (the next tick retries). */
export function warnEvery(logger: { warn(o: object, msg: string): void }, what: string, everyMs = 60_000): (err: Error) => void {
  let last = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    logger.warn({ err: err.message }, `${what} could not be published`);
  };
}

/** Subscribes to a signed subject whose payload does not matter (a command such as "reset"). */
export function subscribeSignedSignal(
  nc: NatsConnection,
  signer: Signer,
  subject: string,
  onSignal: () => void,
  onInvalid?: (why: string) => void,
): Subscription {
  return nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return;
      const v = signer.verify(msg.data, subject);
      if (v.ok) onSignal();
      else onInvalid?.(`${v.reason} message`);
    },
  });
}
