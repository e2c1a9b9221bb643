import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

/** A fine-tuning job as the router keeps it: whose it is, where it runs, and the ids to map back. */
export const FtJob = z.object({
  id: z.string(),
  owner: z.string(),
  /** The router model it trains. */
  model: z.string(),
  provider: z.string(),
  upstream_id: z.string(),
  training_file: z.string(),
  validation_file: z.string().nullable(),
  /** Provider file id -> the router's. */
  files: z.record(z.string(), z.string()),
  created_ms: z.number(),
  /** Last known from the provider. */
  status: z.string(),
  fine_tuned_model: z.string().nullable().default(null),
  shared_with: z.array(z.string()).default([]),
  /** The provider's job object as last read. */
  last: z.record(z.string(), z.unknown()).default({}),
  /** Cluster: the admin asked to cancel it (the console, through the control plane); the worker's poll sends it. */
  cancel_requested: z.boolean().default(false),
  /** Cluster: the worker sent that cancel to the provider. */
  cancel_sent: z.boolean().default(false),
  /** Cluster: the provider's latest events as the worker's poll last read them (the console reads these). */
  events: z.array(z.record(z.string(), z.unknown())).default([]),
});
export type FtJob = z.infer<typeof FtJob>;

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Where fine-tuning jobs are kept (a local folder standalone, PostgreSQL in a cluster). */
export interface FtJobStore {
  get(id: string): Promise<FtJob | undefined>;
  /** Every job (the admin view, start-up), or one owner's. */
  all(owner?: string): Promise<Map<string, FtJob>>;
  save(j: FtJob): Promise<void>;
  /** The jobs that succeeded (their models are routable); absent: read from `all()`. */
  succeeded?(): Promise<FtJob[]>;
}

/** Fine-tuning jobs in a local folder (standalone), one JSON file each, indexed in memory. */
export class LocalFtJobs implements FtJobStore {
  private index: Map<string, FtJob> | undefined;
  constructor(private readonly dir: string) {}

  async get(id: string): Promise<FtJob | undefined> {
    return (await this.all()).get(id);
  }

  async all(owner?: string): Promise<Map<string, FtJob>> {
    if (owner !== undefined) return new Map([...(await this.all())].filter(([, j]) => j.owner === owner));
    if (this.index) return this.index;
    const index = new Map<string, FtJob>();
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!name.endsWith(".json")) continue;
      try {
        const j = FtJob.safeParse(JSON.parse(await readFile(join(this.dir, name), "utf8")));
        if (j.success) index.set(j.data.id, j.data);
      } catch {
        // A torn file: skipped.
      }
    }
    this.index ??= index;
    return this.index;
  }

  async save(j: FtJob): Promise<void> {
    if (!SAFE_ID.test(j.id)) throw new Error("unsafe job id");
    (await this.all()).set(j.id, j);
    await mkdir(this.dir, { recursive: true });
    const p = join(this.dir, `${j.id}.json`);
    const tmp = `${p}.${process.hrtime.bigint()}.part`;
    await writeFile(tmp, JSON.stringify(j));
    await rename(tmp, p);
  }
}

/** The provider's job object with the router's ids (job, files, model) in place of the provider's. */
export function jobObject(j: FtJob, upstream: Record<string, unknown>) {
  const file = (v: unknown) => (typeof v === "string" ? (j.files[v] ?? v) : v);
  const result = Array.isArray(upstream.result_files) ? upstream.result_files.map(file) : [];
  return Object.assign({}, upstream, {
    id: j.id,
    object: "fine_tuning.job",
    model: j.model,
    training_file: j.training_file,
    validation_file: j.validation_file,
    result_files: result,
    organization_id: "ai-router",
  });
}

/** The statuses a job never leaves. */
export const FT_FINAL: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);
