import { kvContext, nats, RoutingTableWrite, type Signer, splitTable, type TableSettings } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { compileDatabase, defaultSettings, ModelCompileCache, toTableKey } from "../compile/compile-db.js";
import type { Db, PrismaClient } from "../db/client.js";
import { KeySync } from "./key-sync.js";
import type { NatsLink } from "./nats-link.js";
import { putIfNewer, signedRevision, type TableSigner } from "./table-cas.js";

export interface PublishResult {
  revision: number;
  published: boolean;
  models: number;
  warnings: string[];
}

/**
 * Compiles the database and puts the table into the KV bucket. Publishes run one at a time; a failed
 * put (NATS down) is retried in the background with a fresh compile until one succeeds, so the latest
 * state always reaches the proxies once NATS is back.
 */
export class TablePublisher {
  private chain: Promise<unknown> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  lastPublished: number | undefined;
  /** Tables put in the bucket, and attempts that failed (the `tables_published_total` metric). */
  readonly counts = { published: 0, failed: 0 };
  /** How long the last successful publish took (compile, keys, chunks, head), ms. */
  lastPublishMs: number | undefined;
  private readonly keys: KeySync;
  private lastAuthRequired: boolean | undefined;
  private lastModels = 0;
  /** Model chunks already in the bucket (content-named: put once). */
  private readonly chunksPut = new Set<string>();
  /** Models compiled by earlier publishes: a change recompiles only the models whose rows changed. */
  private readonly compileCache = new ModelCompileCache();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly link: NatsLink,
    private readonly logger: Logger,
    /** Signs every table (ROUTER_MASTER_KEY): proxies and health workers refuse unsigned ones. */
    private readonly signer: Signer,
    private readonly bucketName: string,
    private readonly settings: TableSettings = defaultSettings,
    private readonly retryMs = 500,
  ) {
    this.keys = new KeySync(bucketName, signer, logger);
  }

  /**
   * Recompiles and publishes now; resolves when the table is in the bucket or the attempt failed.
   * `resyncKeys`: also re-read every client key and make the keys bucket equal to the database (an
   * operator's refresh after changing rows behind the admin API's back).
   */
  publish(reason: string, opts: { resyncKeys?: boolean } = {}): Promise<PublishResult> {
    const run = this.chain.then(() => {
      if (opts.resyncKeys) this.keys.reset();
      return this.publishOnce(reason);
    });
    this.chain = run.catch(() => {});
    return run;
  }

  /** Signs and reads signed entries of this bucket's table key. */
  private get verifier(): TableSigner {
    const context = kvContext(this.bucketName, nats.routingKey);
    return { sign: (data) => this.signer.sign(data, context), verify: (e) => this.signer.verify(e, context) };
  }

  /**
   * Publishes one client key's change (created, updated, revoked, deleted: `hash` is its SHA-256) as its
   * own entry, without recompiling the table: one small message whatever the number of keys. Falls back
   * to a full publish when the keys bucket is not in step yet or the table must change (first key).
   */
  publishKey(hash: string, reason: string): Promise<PublishResult> {
    const run = this.chain.then(async () => {
      const row = await this.prisma.clientKey.findUnique({ where: { hash } });
      if (!this.keys.primed || !this.link.connected || this.retryTimer) return this.publishOnce(reason);
      try {
        await this.keys.putOne(hash, row === null ? undefined : toTableKey(row));
        this.logger.info({ reason }, "client key published");
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, reason }, "publishing a client key failed; republishing everything");
        this.keys.reset();
        return this.publishOnce(reason);
      }
      // The first key turns client auth on: the table must say so.
      if (row !== null && this.lastAuthRequired !== true) return this.publishOnce(reason);
      return { revision: this.lastPublished ?? 0, published: true, models: this.lastModels, warnings: [] };
    });
    this.chain = run.catch(() => {});
    return run;
  }

  /** Publishes again on NATS reconnect (a failed attempt, or a server that lost its buckets). */
  resync(): void {
    // A restarted NATS server may have lost the buckets: the next publish puts every key and chunk again.
    this.keys.reset();
    this.chunksPut.clear();
    void this.publish("nats reconnected");
  }

  private async publishOnce(reason: string): Promise<PublishResult> {
    const begun = performance.now();
    const kvRevision = await this.kvRevision();
    let compiled: Awaited<ReturnType<typeof compileDatabase>>;
    try {
      // Tens of thousands of keys and thousands of models take seconds to read on a busy database.
      compiled = await this.prisma.$transaction(
        async (tx) => {
          const { revision, lineage } = await nextRevision(tx, kvRevision);
          // The compile's queries are cheap scans; JIT-compiling them costs more than it saves (~25-300 ms).
          await tx.$executeRaw`SET LOCAL jit = off`;
          // Once the keys bucket is in step, keys are published one by one (publishKey): a table
          // publish reads no keys, so a model change costs the same with 100 or 100,000 keys.
          const c = await compileDatabase(tx, revision, this.settings, new Date(), !this.keys.primed, this.compileCache);
          c.table.lineage = lineage;
          return c;
        },
        { timeout: 120_000, maxWait: 30_000 },
      );
    } catch (err) {
      // The database is away (or slow): keep serving, try again; never an unhandled rejection.
      this.logger.warn({ err: (err as Error).message, reason }, "compiling the routing table failed; will retry");
      this.scheduleRetry();
      return { revision: this.lastPublished ?? 0, published: false, models: this.lastModels, warnings: [] };
    }
    const compileMs = performance.now() - begun;
    const { table, warnings, modelTexts } = compiled;
    for (const w of warnings) this.logger.warn({ revision: table.revision }, w);
    // Never publish what a proxy would refuse, nor a field no release knows (the models were checked
    // one by one when compiled).
    RoutingTableWrite.parse(Object.assign({}, table, { models: [] }));
    const started = performance.now();
    try {
      const kv = await this.link.bucket(1_500);
      // Keys travel one entry each in their own bucket, models in content-named chunks when the table is
      // big: what a change publishes stays small whatever the number of keys and models.
      const keys = table.clientKeys;
      table.clientKeys = [];
      table.keysBucket = this.keys.bucket;
      if (keys.length > 0) table.authRequired = true;
      const { head, chunks } = splitTable(table, modelTexts);
      // Bounded like the head's put (NATS may be away): 2 s plus time for a first sync of many keys.
      let newChunks = 0;
      await withTimeout(
        (async () => {
          if (!this.keys.primed) await this.keys.sync(this.link.connection!, keys);
          for (const c of chunks) {
            if (this.chunksPut.has(c.id)) continue;
            await kv.put(`${nats.modelChunkPrefix}${c.id}`, c.text);
            this.chunksPut.add(c.id);
            newChunks++;
          }
        })(),
        2_000 + (this.keys.primed ? 0 : keys.length) + chunks.length * 100,
        "NATS put of keys and model chunks timed out",
      );
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        putIfNewer(kv, table.revision, JSON.stringify(head), this.verifier),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("NATS put timed out")), 2_000))),
      ]).finally(() => clearTimeout(timer));
      if (outcome === "superseded") {
        this.logger.info({ revision: table.revision, reason }, "a newer routing table is already published; this one is dropped");
      }
      this.lastPublished = table.revision;
      this.counts.published++;
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.lastPublishMs = performance.now() - begun;
      this.lastAuthRequired = table.authRequired === true;
      this.lastModels = table.models.length;
      this.logger.info(
        {
          revision: table.revision,
          models: table.models.length,
          chunks: chunks.length,
          newChunks,
          ms: Math.round(this.lastPublishMs),
          compileMs: Math.round(compileMs),
          putMs: Math.round(performance.now() - started),
          reason,
        },
        "routing table published",
      );
      return { revision: table.revision, published: true, models: table.models.length, warnings };
    } catch (err) {
      this.counts.failed++;
      this.logger.warn({ err: (err as Error).message, revision: table.revision, reason }, "publishing failed; will retry");
      this.keys.reset();
      this.chunksPut.clear();
      this.scheduleRetry();
      return { revision: table.revision, published: false, models: table.models.length, warnings };
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) void this.publish("retry");
    }, this.retryMs);
  }

  /** The revision currently in the bucket, so a reset database never publishes an older revision. */
  private async kvRevision(): Promise<number> {
    if (!this.link.connected) return 0;
    try {
      const kv = await this.link.bucket(500);
      let timer: NodeJS.Timeout | undefined;
      const e = await Promise.race([
        kv.get(nats.routingKey),
        new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 500))),
      ]).finally(() => clearTimeout(timer));
      return e?.operation === "PUT" ? signedRevision(e, this.verifier) : 0;
    } catch {
      return 0;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }
}

/**
 * Bumps the stored revision past both itself and the bucket's; the row lock serialises publishers. The
 * row's lineage is created with it (with the database) and travels in every table.
 */
async function nextRevision(tx: Db, floor: number): Promise<{ revision: number; lineage: string }> {
  await tx.$executeRaw`INSERT INTO publish_state (id, revision, at) VALUES (1, 0, now()) ON CONFLICT (id) DO NOTHING`;
  const rows = await tx.$queryRaw<{ revision: number; lineage: string }[]>`
    UPDATE publish_state SET revision = GREATEST(revision, ${floor}::int) + 1, at = now() WHERE id = 1 RETURNING revision, lineage`;
  return rows[0]!;
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
