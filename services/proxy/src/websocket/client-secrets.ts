import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { TableClientKey } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { z } from "zod";
import type { Endpoint } from "../endpoints/endpoint.js";
import { sendJson } from "../http/respond.js";

/** `POST /v1/realtime/client_secrets` as OpenAI defines it (the fields the router acts on; others refused). */
export const ClientSecretRequest = z
  .object({
    expires_after: z
      .object({ anchor: z.literal("created_at").optional(), seconds: z.number().int().min(10).max(7200) })
      .strict()
      .optional(),
    session: z
      .object({ type: z.enum(["realtime", "transcription"]).optional(), model: z.string().min(1).max(256).optional() })
      .passthrough()
      .optional(),
  })
  .strict();

const PREFIX = "ek_";
const DEFAULT_TTL_S = 600;

/** What a minted secret stands for: the client key that asked (by digest), until when, for which model. */
interface Claims {
  /** sha256 hex of the client key. */
  k: string;
  /** Expiry, unix seconds. */
  e: number;
  m?: string;
}

/**
 * Short-lived realtime tokens for browser clients: `ek_` + the claims + an HMAC of them under the
 * router's secret (the same on every replica), so any replica accepts what any minted; nothing stored.
 */
export class ClientSecrets {
  constructor(private readonly secret: string | Buffer) {}

  private mac(payload: string): Buffer {
    return createHmac("sha256", this.secret).update(`realtime-client-secret:${payload}`).digest();
  }

  mint(claims: Claims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    return `${PREFIX}${payload}.${this.mac(payload).toString("base64url")}`;
  }

  /** The claims of a valid, unexpired token; undefined otherwise. */
  verify(token: string, nowS = Date.now() / 1000): Claims | undefined {
    if (!token.startsWith(PREFIX) || token.length > 1024) return undefined;
    const dot = token.indexOf(".", PREFIX.length);
    if (dot < 0) return undefined;
    const payload = token.slice(PREFIX.length, dot);
    const sig = Buffer.from(token.slice(dot + 1), "base64url");
    const want = this.mac(payload);
    if (sig.length !== want.length || !timingSafeEqual(sig, want)) return undefined;
    try {
      const c = JSON.parse(Buffer.from(payload, "base64url").toString()) as Claims;
      return typeof c.k === "string" && typeof c.e === "number" && c.e > nowS ? c : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * A token presented at a realtime upgrade (Bearer, or the browsers' `openai-insecure-api-key.` subprotocol):
   * the key it stands for, still in the table and unexpired; undefined when no token was presented.
   */
  keyOf(headers: IncomingHttpHeaders, keys: ReadonlyMap<string, TableClientKey>, model: string): TableClientKey | undefined {
    const token = presentedToken(headers);
    if (token === undefined) return undefined;
    const c = this.verify(token);
    const key = c ? keys.get(c.k) : undefined;
    if (!c || !key || (key.expiresAt !== undefined && key.expiresAt <= Date.now())) {
      throw new RouterError("invalid_api_key", "The client secret is invalid or has expired.");
    }
    if (c.m !== undefined && c.m !== model)
      throw new RouterError("model_not_allowed", `This client secret is for another model.`, { param: "model" });
    return key;
  }
}

/** An `ek_` token in `Authorization: Bearer`, or in `Sec-WebSocket-Protocol: realtime, openai-insecure-api-key.<token>`. */
export function presentedToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth?.startsWith(`Bearer ${PREFIX}`)) return auth.slice(7).trim();
  const proto = headers["sec-websocket-protocol"];
  if (typeof proto !== "string") return undefined;
  for (const p of proto.split(",")) {
    const t = p.trim();
    if (t.startsWith(`openai-insecure-api-key.${PREFIX}`)) return t.slice("openai-insecure-api-key.".length);
  }
  return undefined;
}

/** `POST /v1/realtime/client_secrets`: a token for the calling key (its limits and models apply), 10 min by default. */
export function clientSecretsEndpoint(secrets: ClientSecrets): Endpoint {
  return {
    method: "POST",
    path: "/v1/realtime/client_secrets",
    auth: true,
    body: "json",
    schema: ClientSecretRequest,
    handle(ctx) {
      const body = ctx.valid as z.infer<typeof ClientSecretRequest>;
      if (ctx.key === undefined) {
        throw new RouterError("invalid_request", "Client secrets need client keys: this router accepts requests without one.");
      }
      const expiresAt = Math.floor(Date.now() / 1000) + (body.expires_after?.seconds ?? DEFAULT_TTL_S);
      const model = body.session?.model;
      const value = secrets.mint(model === undefined ? { k: ctx.key.sha256, e: expiresAt } : { k: ctx.key.sha256, e: expiresAt, m: model });
      const session = Object.assign({ type: "realtime", object: "realtime.session" }, body.session);
      sendJson(ctx.res, 200, JSON.stringify({ value, expires_at: expiresAt, session }), { "x-request-id": ctx.id });
    },
  };
}
