import { Readable, Transform } from "node:stream";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { type FileStore, type ListQuery, pageOf, StoredFile } from "./file-store.js";

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Files in any S3-compatible store (AWS S3, MinIO, Alibaba OSS, Tencent COS) through the AWS SDK:
 * `<prefix>blobs/<id>` uploaded in parts as the bytes stream in (never whole in memory), and
 * `<prefix>meta/<id>.json`, indexed in memory when the store opens.
 */
export class S3FileStore implements FileStore {
  private index: Promise<Map<string, StoredFile>> | undefined;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix = "",
  ) {}

  private key(kind: "blobs" | "meta", id: string): string {
    if (!SAFE_ID.test(id)) throw new Error("unsafe file id");
    return `${this.prefix}${kind}/${id}${kind === "meta" ? ".json" : ""}`;
  }

  private open(): Promise<Map<string, StoredFile>> {
    this.index ??= (async () => {
      const index = new Map<string, StoredFile>();
      let token: string | undefined;
      do {
        const page = await this.s3.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}meta/`, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) {
          if (!o.Key) continue;
          const got = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: o.Key }));
          const parsed = StoredFile.safeParse(JSON.parse((await got.Body?.transformToString()) ?? "null"));
          if (parsed.success) index.set(parsed.data.id, parsed.data);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return index;
    })();
    return this.index;
  }

  async write(id: string, source: Readable): Promise<number> {
    let bytes = 0;
    const counted = new Transform({
      transform(c: Buffer, _enc, next) {
        bytes += c.length;
        next(null, c);
      },
    });
    source.on("error", (err) => counted.destroy(err));
    const upload = new Upload({ client: this.s3, params: { Bucket: this.bucket, Key: this.key("blobs", id), Body: source.pipe(counted) } });
    try {
      await upload.done();
    } catch (err) {
      await upload.abort().catch(() => {});
      throw err;
    }
    return bytes;
  }

  async read(id: string): Promise<Readable | undefined> {
    if (!(await this.open()).has(id)) return undefined;
    const got = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key("blobs", id) }));
    return got.Body instanceof Readable ? got.Body : undefined;
  }

  async saveMeta(file: StoredFile): Promise<void> {
    const index = await this.open();
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key("meta", file.id),
        Body: JSON.stringify(file),
        ContentType: "application/json",
      }),
    );
    index.set(file.id, file);
  }

  async meta(id: string): Promise<StoredFile | undefined> {
    return (await this.open()).get(id);
  }

  async list(q: ListQuery): Promise<StoredFile[]> {
    return pageOf((await this.open()).values(), q);
  }

  async remove(id: string): Promise<void> {
    (await this.open()).delete(id);
    if (!SAFE_ID.test(id)) return;
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key("meta", id) }));
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key("blobs", id) }));
  }
}
