import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { RouterError } from "@ai-router/errors";
import { request } from "undici";
import { z } from "zod";
import { FineTuningUpstream } from "../fine-tuning/ft-upstream.js";
import type { LiveProvider, RuntimeTable } from "../routing/runtime-table.js";

/** A Message Batch passed through to Anthropic: whose it is, where it runs, its id there. */
export const NativeMessageBatch = z.object({
  id: z.string(),
  owner: z.string(),
  provider: z.string(),
  upstream_id: z.string(),
  created_ms: z.number(),
  /** The provider's model name -> the router model it serves (the results name the provider's). */
  models: z.record(z.string(), z.string()).default({}),
  /** Its answered requests are in the usage ledger (charged once, when first seen ended). */
  charged: z.boolean().default(false),
});
export type NativeMessageBatch = z.infer<typeof NativeMessageBatch>;

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const ANTHROPIC_VERSION = "2023-06-01";

/** Where the links of Message Batches passed through to Anthropic are kept (a local folder standalone, PostgreSQL in a cluster). */
export interface MessageBatchLinks {
  get(id: string): Promise<NativeMessageBatch | undefined>;
  /** One key's links. */
  owned(owner: string): Promise<NativeMessageBatch[]>;
  save(b: NativeMessageBatch): Promise<void>;
  /** Forgets a deleted batch's link. */
  remove(id: string): Promise<void>;
  /** The links not charged yet, oldest first (polled at Anthropic until they ended). */
  uncharged(): Promise<NativeMessageBatch[]>;
}

/** Message Batches passed through to Anthropic, one JSON file each in a local folder (standalone), indexed in memory. */
export class LocalNativeMessageBatches implements MessageBatchLinks {
  private index: Map<string, NativeMessageBatch> | undefined;
  constructor(private readonly dir: string) {}

  async get(id: string): Promise<NativeMessageBatch | undefined> {
    return (await this.all()).get(id);
  }

  async owned(owner: string): Promise<NativeMessageBatch[]> {
    return [...(await this.all()).values()].filter((l) => l.owner === owner);
  }

  async all(): Promise<Map<string, NativeMessageBatch>> {
    if (this.index) return this.index;
    const index = new Map<string, NativeMessageBatch>();
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!name.endsWith(".json")) continue;
      const parsed = NativeMessageBatch.safeParse(JSON.parse(await readFile(join(this.dir, name), "utf8").catch(() => "null")));
      if (parsed.success) index.set(parsed.data.id, parsed.data);
    }
    this.index ??= index;
    return this.index;
  }

  async save(b: NativeMessageBatch): Promise<void> {
    if (!SAFE_ID.test(b.id)) throw new Error("unsafe batch id");
    (await this.all()).set(b.id, b);
    await mkdir(this.dir, { recursive: true });
    const p = join(this.dir, `${b.id}.json`);
    const tmp = `${p}.${process.hrtime.bigint()}.part`;
    await writeFile(tmp, JSON.stringify(b));
    await rename(tmp, p);
  }

  async uncharged(): Promise<NativeMessageBatch[]> {
    return [...(await this.all()).values()].filter((l) => !l.charged).sort((a, b) => a.created_ms - b.created_ms);
  }

  async remove(id: string): Promise<void> {
    if (!SAFE_ID.test(id)) throw new Error("unsafe batch id");
    (await this.all()).delete(id);
    await rm(join(this.dir, `${id}.json`), { force: true });
  }
}

/** Anthropic's Message Batches API of one provider (its key in `x-api-key`, its pool). */
export class AnthropicBatches {
  private readonly up: FineTuningUpstream;
  private readonly base: string;

  constructor(private readonly live: LiveProvider) {
    this.up = new FineTuningUpstream(live, { auth: (key) => ({ "x-api-key": key, "anthropic-version": ANTHROPIC_VERSION }) });
    this.base = live.config.baseUrl.replace(/\/+$/, "").endsWith("/v1") ? "/messages/batches" : "/v1/messages/batches";
  }

  create(requests: unknown[]) {
    return this.up.call("POST", this.base, JSON.stringify({ requests }));
  }

  retrieve(id: string) {
    return this.up.call("GET", `${this.base}/${encodeURIComponent(id)}`);
  }

  cancel(id: string) {
    return this.up.call("POST", `${this.base}/${encodeURIComponent(id)}/cancel`, "{}");
  }

  delete(id: string) {
    return this.up.call("DELETE", `${this.base}/${encodeURIComponent(id)}`);
  }

  /** The results JSONL as Anthropic streams it. */
  async results(id: string): Promise<Readable> {
    const key = this.live.nextKey();
    const res = await request(this.up.url(`${this.base}/${encodeURIComponent(id)}/results`), {
      method: "GET",
      headers: Object.assign({ "anthropic-version": ANTHROPIC_VERSION }, key ? { "x-api-key": key } : {}),
      ...(this.live.agent ? { dispatcher: this.live.agent } : {}),
    }).catch((err: Error) => {
      throw new RouterError("upstream_unreachable", `The provider could not be reached: ${err.message.slice(0, 120)}`);
    });
    if (res.statusCode >= 400) {
      await res.body.dump();
      throw new RouterError("upstream_bad_response", `The provider answered ${res.statusCode} for the batch's results.`, {
        status: res.statusCode < 500 ? 400 : 502,
      });
    }
    return res.body;
  }
}

/**
 * The Anthropic provider every request of a batch would go to, and each model's upstream name; undefined
 * when any model is served by anything else (more than one provider, or one that is not Anthropic's):
 * then the router runs the batch.
 */
export function planNative(table: RuntimeTable, models: Iterable<string>): { provider: string; names: Map<string, string> } | undefined {
  let provider: string | undefined;
  const names = new Map<string, string>();
  for (const name of models) {
    const model = table.models.get(name);
    const only = model?.targets[0];
    if (model === undefined || only === undefined || model.targets.some((t) => t.provider !== only.provider)) return undefined;
    if (only.live.config.type !== "anthropic" || (provider !== undefined && provider !== only.provider)) return undefined;
    provider = only.provider;
    names.set(name, only.upstreamModel);
  }
  return provider === undefined ? undefined : { provider, names };
}
