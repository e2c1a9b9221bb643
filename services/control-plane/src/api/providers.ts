import {
  encryptSecret,
  IdParam,
  MessageOut,
  ProviderCreate,
  ProviderCreated,
  ProviderKeyCreate,
  ProviderKeyOut,
  ProviderKeyRotate,
  ProviderKeyUpdate,
  ProviderOut,
  ProviderUpdate,
} from "@ai-router/contracts";
import { maskSecret } from "@ai-router/logger";
import { z } from "zod";
import type { Prisma } from "../db/client.js";
import { sealHeaders } from "../db/sealed-headers.js";
import { conflict, notFound, parseBody, parseParam } from "../http/errors.js";
import { audit } from "./audit.js";
import { type ApiContext, actor, published } from "./context.js";
import { adapterFromName, keysInclude, toKeyOut, toProviderOut } from "./mappers.js";
import { checkHostChange } from "./provider-host-change.js";

const tag = "providers";
const json = (v: unknown) => v as Prisma.InputJsonValue;

export function providerRoutes(ctx: ApiContext): void {
  const { api, prisma } = ctx;
  const seal = (plain: string) => ({ secret: encryptSecret(plain, ctx.masterKey), masked: maskSecret(plain) });
  const load = async (id: number) => {
    const p = await prisma.provider.findUnique({ where: { id }, include: keysInclude });
    if (!p) throw notFound(`Provider ${id}`);
    return p;
  };

  api.route(
    { method: "get", path: "/v1/db/providers", tag, summary: "List providers", response: z.object({ providers: z.array(ProviderOut) }) },
    async () => ({
      providers: (await prisma.provider.findMany({ include: keysInclude, orderBy: { id: "asc" } })).map((p) =>
        toProviderOut(p, ctx.masterKey),
      ),
    }),
  );

  api.route(
    {
      method: "post",
      path: "/v1/db/providers",
      tag,
      summary: "Create a provider",
      description:
        "Seed-compatible. `base_url` is an alias of `official_endpoint`; `api_key` (one or a list) is stored AES-256-GCM encrypted and only ever shown masked. `adapter` defaults from the name (openai*, anthropic, volcengine, gemini/google, deepseek, qwen/dashscope, kimi/moonshot, glm/zhipu, ernie/qianfan, minimax, siliconflow, openrouter, groq, mistral, grok/xai, together, ollama, vllm, azure; else openai-compatible).",
      body: ProviderCreate,
      response: ProviderCreated,
      errors: [409],
    },
    async (req, res) => {
      const b = parseBody(ProviderCreate, req);
      if (await prisma.provider.findUnique({ where: { name: b.name } })) throw conflict(`Provider "${b.name}" already exists.`, "name");
      const keys = b.api_key === undefined ? [] : Array.isArray(b.api_key) ? b.api_key : [b.api_key];
      const p = await prisma.$transaction(async (tx) => {
        const created = await tx.provider.create({
          data: {
            name: b.name,
            providerType: b.provider_type ?? "PUBLIC_CLOUD",
            adapter: b.adapter ?? adapterFromName(b.name),
            officialEndpoint: b.official_endpoint ?? b.base_url ?? null,
            thirdPartyEndpoint: b.third_party_endpoint ?? null,
            description: b.description ?? null,
            isEnabled: b.is_enabled ?? true,
            ...(b.timeout_ms !== undefined ? { timeoutMs: b.timeout_ms } : {}),
            ...(b.connect_timeout_ms !== undefined ? { connectTimeoutMs: b.connect_timeout_ms } : {}),
            ...(b.headers ? { headers: sealHeaders(b.headers, ctx.masterKey) } : {}),
            ...(b.stream_usage !== undefined ? { streamUsage: b.stream_usage } : {}),
            ...(b.max_connections !== undefined ? { maxConnections: b.max_connections } : {}),
            ...(b.params ? { params: json(b.params) } : {}),
            keys: { create: keys.map((k) => seal(k)) },
          },
          include: keysInclude,
        });
        await audit(tx, actor(ctx, req), "create", "provider", created.id, {
          name: created.name,
          adapter: created.adapter,
          keys: created.keys.map((k) => k.masked),
        });
        return created;
      });
      await published(ctx, res, `provider ${p.name} created`);
      return { message: "Provider created successfully", provider_id: p.id, provider_name: p.name, api_keys: p.keys.map(toKeyOut) };
    },
  );

  api.route(
    { method: "get", path: "/v1/db/providers/:id", tag, summary: "Get a provider", response: ProviderOut, errors: [404] },
    async (req) => toProviderOut(await load(parseParam(IdParam, req, "id")), ctx.masterKey),
  );

  api.route(
    {
      method: "put",
      path: "/v1/db/providers/:id",
      tag,
      summary: "Update a provider (partial)",
      description:
        "Only the fields given change. Keys are managed under `/v1/db/providers/{id}/keys`; `api_key` here replaces them all. An endpoint on another host (scheme, host or port) needs `api_key` (and `headers` when some are stored) again, or `confirm_new_host: true` to send the stored ones there: the audit log records which.",
      body: ProviderUpdate,
      response: ProviderOut,
      errors: [404, 409],
    },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const b = parseBody(ProviderUpdate, req);
      const old = await load(id);
      const move = checkHostChange(old, b);
      const newKeys = b.api_key === undefined ? undefined : Array.isArray(b.api_key) ? b.api_key : [b.api_key];
      if (b.name !== undefined) {
        const other = await prisma.provider.findUnique({ where: { name: b.name } });
        if (other && other.id !== id) throw conflict(`Provider "${b.name}" already exists.`, "name");
      }
      const p = await prisma.$transaction(async (tx) => {
        const updated = await tx.provider.update({
          where: { id },
          data: {
            name: b.name,
            providerType: b.provider_type,
            adapter: b.adapter,
            officialEndpoint: b.base_url ?? b.official_endpoint,
            thirdPartyEndpoint: b.third_party_endpoint,
            description: b.description,
            isEnabled: b.is_enabled,
            timeoutMs: b.timeout_ms,
            connectTimeoutMs: b.connect_timeout_ms,
            headers: b.headers === undefined ? undefined : sealHeaders(b.headers, ctx.masterKey),
            streamUsage: b.stream_usage,
            maxConnections: b.max_connections,
            params: b.params === undefined ? undefined : json(b.params),
            ...(newKeys ? { keys: { deleteMany: {}, create: newKeys.map((k) => seal(k)) } } : {}),
          },
          include: keysInclude,
        });
        await audit(tx, actor(ctx, req), "update", "provider", id, {
          fields: Object.keys(b),
          ...(move ? { host_change: move } : {}),
          ...(newKeys ? { keys: updated.keys.map((k) => k.masked) } : {}),
        });
        return updated;
      });
      await published(ctx, res, `provider ${p.name} updated`);
      return toProviderOut(p, ctx.masterKey);
    },
  );

  api.route(
    {
      method: "delete",
      path: "/v1/db/providers/:id",
      tag,
      summary: "Delete a provider",
      description: "Refused with 409 while models still link to it (remove the links first). Its keys are deleted with it.",
      response: MessageOut,
      errors: [404, 409],
    },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const p = await load(id);
      const links = await prisma.modelProvider.findMany({ where: { providerId: id }, include: { model: true } });
      if (links.length > 0)
        throw conflict(`Provider "${p.name}" is used by models: ${links.map((l) => l.model.name).join(", ")}. Remove those links first.`);
      await prisma.$transaction(async (tx) => {
        await tx.provider.delete({ where: { id } });
        await audit(tx, actor(ctx, req), "delete", "provider", id, { name: p.name });
      });
      await published(ctx, res, `provider ${p.name} deleted`);
      return { message: "Provider deleted successfully", id, name: p.name };
    },
  );

  // ---- provider keys: add, rotate, enable/disable, remove ----

  const loadKey = async (providerId: number, keyId: number) => {
    const k = await prisma.providerKey.findFirst({ where: { id: keyId, providerId } });
    if (!k) throw notFound(`Key ${keyId} of provider ${providerId}`);
    return k;
  };

  api.route(
    {
      method: "get",
      path: "/v1/db/providers/:id/keys",
      tag,
      summary: "List a provider's keys (masked)",
      response: z.object({ keys: z.array(ProviderKeyOut) }),
      errors: [404],
    },
    async (req) => ({ keys: (await load(parseParam(IdParam, req, "id"))).keys.map(toKeyOut) }),
  );

  api.route(
    {
      method: "post",
      path: "/v1/db/providers/:id/keys",
      tag,
      summary: "Add a key to a provider",
      description: "Several enabled keys are used round-robin. The answer shows the key masked only.",
      body: ProviderKeyCreate,
      response: ProviderKeyOut,
      status: 201,
      errors: [404],
    },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const b = parseBody(ProviderKeyCreate, req);
      const p = await load(id);
      const k = await prisma.$transaction(async (tx) => {
        const created = await tx.providerKey.create({
          data: { providerId: id, name: b.name ?? null, isEnabled: b.is_enabled, ...seal(b.api_key) },
        });
        await audit(tx, actor(ctx, req), "add_key", "provider", id, { key_id: created.id, masked: created.masked });
        return created;
      });
      await published(ctx, res, `key added to ${p.name}`);
      return toKeyOut(k);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/db/providers/:id/keys/:keyId/rotate",
      tag,
      summary: "Rotate a key (replace its secret)",
      description: "The key keeps its id and place; proxies switch to the new secret with the next table.",
      body: ProviderKeyRotate,
      response: ProviderKeyOut,
      errors: [404],
    },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const keyId = parseParam(IdParam, req, "keyId");
      const b = parseBody(ProviderKeyRotate, req);
      const old = await loadKey(id, keyId);
      const k = await prisma.$transaction(async (tx) => {
        const updated = await tx.providerKey.update({ where: { id: keyId }, data: { ...seal(b.api_key), rotatedAt: new Date() } });
        await audit(tx, actor(ctx, req), "rotate_key", "provider", id, { key_id: keyId, from: old.masked, to: updated.masked });
        return updated;
      });
      await published(ctx, res, `key ${keyId} rotated`);
      return toKeyOut(k);
    },
  );

  api.route(
    {
      method: "put",
      path: "/v1/db/providers/:id/keys/:keyId",
      tag,
      summary: "Rename, enable or disable a key",
      body: ProviderKeyUpdate,
      response: ProviderKeyOut,
      errors: [404],
    },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const keyId = parseParam(IdParam, req, "keyId");
      const b = parseBody(ProviderKeyUpdate, req);
      await loadKey(id, keyId);
      const k = await prisma.$transaction(async (tx) => {
        const updated = await tx.providerKey.update({ where: { id: keyId }, data: { name: b.name, isEnabled: b.is_enabled } });
        await audit(tx, actor(ctx, req), "update_key", "provider", id, { key_id: keyId, fields: Object.keys(b), masked: updated.masked });
        return updated;
      });
      await published(ctx, res, `key ${keyId} updated`);
      return toKeyOut(k);
    },
  );

  api.route(
    { method: "delete", path: "/v1/db/providers/:id/keys/:keyId", tag, summary: "Remove a key", response: MessageOut, errors: [404] },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const keyId = parseParam(IdParam, req, "keyId");
      const k = await loadKey(id, keyId);
      await prisma.$transaction(async (tx) => {
        await tx.providerKey.delete({ where: { id: keyId } });
        await audit(tx, actor(ctx, req), "remove_key", "provider", id, { key_id: keyId, masked: k.masked });
      });
      await published(ctx, res, `key ${keyId} removed`);
      return { message: "Key removed successfully", id: keyId };
    },
  );
}
