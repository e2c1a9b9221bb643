/**
 * Prisma CLI config: offline migrations with the WebAssembly schema engine through the pg driver
 * adapter (no engine download). Two upstream bugs are worked around below.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { defineConfig } from "prisma/config";

// Workaround 1 (prisma/orm#27403): adapter-pg cannot map catalog types the wasm engine's introspection
// returns: "char" (18), name (19), regproc (24), pg_node_tree (194), regclass (2205), regtype (2206).
// Report them as text (25).
const TEXTLIKE = new Set([18, 19, 24, 194, 2205, 2206]);
type Fields = { fields?: { dataTypeID: number }[] };
const fix = <T>(res: T): T => {
  for (const r of (Array.isArray(res) ? res : [res]) as Fields[])
    for (const f of r?.fields ?? []) if (TEXTLIKE.has(f.dataTypeID)) f.dataTypeID = 25;
  return res;
};
type AnyFn = (...args: unknown[]) => unknown;
class NameAsTextClient extends pg.Client {
  override query(...args: unknown[]): never {
    const q = super.query as unknown as AnyFn;
    const cb = args[args.length - 1];
    if (typeof cb === "function") {
      args[args.length - 1] = (err: unknown, res: unknown) => (cb as AnyFn)(err, err ? res : fix(res));
      return q.apply(this, args) as never;
    }
    const out = q.apply(this, args) as Promise<unknown> | undefined;
    return (out && typeof out.then === "function" ? out.then(fix) : out) as never;
  }
}

function pgConfig(url: string, database?: string): pg.PoolConfig {
  // Discrete fields, not connectionString (a connectionString overrides `database`).
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password) || undefined,
    database: database ?? u.pathname.slice(1),
    Client: NameAsTextClient,
    allowExitOnIdle: true,
  } as pg.PoolConfig;
}

// Workaround 2: adapter-pg 6.19.3 connectToShadowDb() ignores `database` when given a connectionString
// and drops the shadow DB before closing its pool ("being accessed by other users").
class MigratePg extends PrismaPg {
  constructor(private readonly url: string) {
    super(pgConfig(url));
  }
  override async connectToShadowDb() {
    const main = await this.connect();
    const db = `prisma_shadow_${globalThis.crypto.randomUUID().replaceAll("-", "")}`;
    await main.executeScript(`CREATE DATABASE "${db}"`);
    const shadow = await new PrismaPg(pgConfig(this.url, db)).connect();
    const dispose = shadow.dispose.bind(shadow);
    Object.assign(shadow, {
      dispose: async () => {
        await dispose(); // ends the shadow pool first
        await main.executeScript(`DROP DATABASE IF EXISTS "${db}"`);
        await main.dispose();
      },
    });
    return shadow;
  }
}

// The schema keeps `url = env("DATABASE_URL")`; with the variable unset, `prisma generate` falls back to
// downloading a query engine. Generation never connects, so a local default is enough.
process.env.DATABASE_URL ||= "postgresql://postgres@127.0.0.1:5432/ai_router";
const databaseUrl = () => process.env.DATABASE_URL as string;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new MigratePg(databaseUrl()),
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
