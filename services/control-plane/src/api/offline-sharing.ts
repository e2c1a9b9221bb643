import { RouterError } from "@ai-router/errors";
import { z } from "zod";
import type { PrismaClient } from "../db/client.js";
import { badRequest, parseBody } from "../http/errors.js";
import { audit } from "./audit.js";
import { type ApiContext, actor } from "./context.js";

const tag = "offline";

/** `PUT /v1/admin/fine_tuning/models/{model}/shared_with`: the client keys (by name, as the console shows them). */
export const ShareBody = z
  .object({
    keys: z.array(z.string().min(1).max(128)).max(1000).describe("Client key names; [] shares with nobody (the owner keeps it)"),
  })
  .strict();

const ShareOut = z.object({
  model: z.string(),
  owner: z.string().describe("The owning key's name"),
  owner_key_id: z.string(),
  shared_with: z.array(z.string()).describe("The names of the keys it is shared with"),
  shared_with_key_ids: z.array(z.string()),
});

/** Fine-tuned model names as the providers make them (`ft:gpt-4o-mini:org::abc`, `user/Llama-...-ft-abc`). */
const ModelParam = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\w.:/@+-]+$/);

/** Key names -> ids; a name no key has, or several keys share, is a 400 naming it. */
async function keyIds(prisma: PrismaClient, names: string[]): Promise<string[]> {
  const wanted = [...new Set(names)];
  const found = await prisma.clientKey.findMany({ where: { name: { in: wanted } }, select: { id: true, name: true } });
  const byName = new Map<string, number[]>();
  for (const k of found) byName.set(k.name, [...(byName.get(k.name) ?? []), k.id]);
  const unknown = wanted.filter((n) => !byName.has(n));
  const clip = (xs: string[]) => xs.slice(0, 5).join(", ").slice(0, 200);
  if (unknown.length > 0) throw badRequest(`Unknown client keys: ${clip(unknown)}.`, "keys");
  const ambiguous = wanted.filter((n) => (byName.get(n) as number[]).length > 1);
  if (ambiguous.length > 0) throw badRequest(`Several client keys are named ${clip(ambiguous)}; rename one first.`, "keys");
  return wanted.map((n) => String((byName.get(n) as number[])[0]));
}

/**
 * Sharing a fine-tuned model with other client keys in cluster mode: the key ids are stored in the
 * succeeded job's state (`router_ft_jobs.state.shared_with`), which every proxy reloads in the background
 * (ROUTER_FINE_TUNED_REFRESH_MS, 2 s by default), so the model is routable and listed for those keys on
 * every replica within one refresh; an empty list takes it away again. A model name with a `/` is sent
 * with it encoded (`%2F`).
 */
export function offlineSharingRoutes(ctx: ApiContext): void {
  const { api, prisma } = ctx;
  api.route(
    {
      method: "put",
      path: "/v1/admin/fine_tuning/models/:model/shared_with",
      tag,
      summary: "Share a fine-tuned model with other client keys (by name; [] unshares)",
      body: ShareBody,
      response: ShareOut,
      errors: [404],
    },
    async (req) => {
      const m = ModelParam.safeParse(req.params.model);
      const noModel = () =>
        new RouterError("not_found", `No succeeded fine-tuning job made ${String(req.params.model).slice(0, 120)}.`, {
          publicCode: "model_not_found",
        });
      if (!m.success) throw noModel();
      const body = parseBody(ShareBody, req);
      const exists = await prisma.$queryRawUnsafe<{ t: string | null }[]>("SELECT to_regclass('router_ft_jobs')::text AS t");
      if (exists[0]?.t == null) throw noModel();
      const jobs = await prisma.$queryRawUnsafe<{ id: string; owner: string }[]>(
        `SELECT id, owner FROM router_ft_jobs WHERE status = 'succeeded' AND state->>'fine_tuned_model' = $1
         ORDER BY created_ms DESC LIMIT 1`,
        m.data,
      );
      const job = jobs[0];
      if (job === undefined) throw noModel();
      const ids = await keyIds(prisma, body.keys);
      // Only this field changes: the proxies' and the worker's saves keep it (pg-ft-jobs.ts).
      await prisma.$executeRawUnsafe(
        "UPDATE router_ft_jobs SET state = jsonb_set(state, '{shared_with}', $2::jsonb) WHERE id = $1",
        job.id,
        JSON.stringify(ids),
      );
      await audit(prisma, actor(ctx, req), "share", "fine_tuned_model", m.data, { job: job.id, keys: body.keys, key_ids: ids });
      const owner = Number(job.owner);
      const ownerKey = Number.isInteger(owner) && owner > 0 ? await prisma.clientKey.findUnique({ where: { id: owner } }) : null;
      return {
        model: m.data,
        owner: ownerKey?.name ?? job.owner,
        owner_key_id: job.owner,
        shared_with: [...new Set(body.keys)],
        shared_with_key_ids: ids,
      };
    },
  );
}
