import type { FileStore } from "./file-store.js";

export interface FileStoreEnv {
  ROUTER_FILES_DATABASE_URL?: string | undefined;
  ROUTER_FILES_S3_BUCKET?: string | undefined;
  ROUTER_FILES_S3_ENDPOINT?: string | undefined;
  ROUTER_FILES_S3_REGION: string;
  ROUTER_FILES_S3_PREFIX: string;
  ROUTER_FILES_S3_PATH_STYLE: boolean;
}

/**
 * The file store the environment asks for: PostgreSQL when `ROUTER_FILES_DATABASE_URL` is set (the
 * migration 20261207160000_files_batches applied), an S3-compatible bucket when `ROUTER_FILES_S3_BUCKET` is set
 * (credentials from the AWS SDK's usual chain: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, profile,
 * role), else undefined (the local folder). The AWS SDK is loaded only then.
 */
export async function openFileStore(env: FileStoreEnv): Promise<FileStore | undefined> {
  if (env.ROUTER_FILES_DATABASE_URL) {
    const [{ default: pg }, { PgFileStore }] = await Promise.all([import("pg"), import("./pg-file-store.js")]);
    const pool = new pg.Pool({ connectionString: env.ROUTER_FILES_DATABASE_URL, max: 4 });
    pool.on("error", () => {});
    return new PgFileStore(pool);
  }
  if (!env.ROUTER_FILES_S3_BUCKET) return undefined;
  const [{ S3Client }, { S3FileStore }] = await Promise.all([import("@aws-sdk/client-s3"), import("./s3-file-store.js")]);
  const s3 = new S3Client({
    region: env.ROUTER_FILES_S3_REGION,
    forcePathStyle: env.ROUTER_FILES_S3_PATH_STYLE,
    ...(env.ROUTER_FILES_S3_ENDPOINT ? { endpoint: env.ROUTER_FILES_S3_ENDPOINT } : {}),
  });
  return new S3FileStore(s3, env.ROUTER_FILES_S3_BUCKET, env.ROUTER_FILES_S3_PREFIX);
}
