import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { z } from "zod";

/**
 * Subscribes to a core-NATS subject whose messages are JSON of one zod schema: `onValid` gets each
 * valid message; one that is not JSON or fails the schema goes to `onInvalid` (if given) and is dropped,
 * never thrown into the connection.
 */
export function subscribeValid<S extends z.ZodType>(
  nc: NatsConnection,
  subject: string,
  schema: S,
  onValid: (value: z.infer<S>) => void,
  onInvalid?: (why: string) => void,
): Subscription {
  return nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return;
      let body: unknown;
      try {
        body = msg.json();
      } catch {
        return onInvalid?.("not valid JSON");
      }
      const r = schema.safeParse(body);
      if (r.success) onValid(r.data);
      else onInvalid?.(r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    },
  });
}
