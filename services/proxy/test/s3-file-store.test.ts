import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { S3Client } from "@aws-sdk/client-s3";
import { toFile } from "openai";
// @ts-expect-error s3rver ships no types
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3FileStore } from "../src/files/s3-file-store.js";
import { openAIConfig } from "./harness.js";
import { chatLines, type OfflineProxy, startOfflineProxy, untilFinal } from "./offline-setup.js";

const A = "sk-team-a-s3-1111111111";
const B = "sk-team-b-s3-2222222222";
let s3server: { run(): Promise<AddressInfo>; close(): Promise<void> };
let s3: S3Client;
let dir: string;
let up: MockUpstream;
let proxy: OfflineProxy;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "router-s3-"));
  s3server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir, configureBuckets: [{ name: "router-files" }] });
  const { port } = await s3server.run();
  s3 = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  up = await startMockUpstream();
  const cfg = openAIConfig([up.baseUrl], {
    keys: [
      { name: "team-a", key: A },
      { name: "team-b", key: B },
    ],
  });
  proxy = await startOfflineProxy(cfg, { files: new S3FileStore(s3, "router-files", "t/") });
});
afterAll(async () => {
  await proxy?.close();
  await up?.close();
  s3?.destroy();
  await s3server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("files in an S3-compatible store (s3rver)", () => {
  it("streams an upload there in parts and back, owned per key, and deletes it", async () => {
    const a = proxy.sdk(A);
    // 12 MiB: more than two of the SDK's 5 MiB parts.
    const big = Buffer.alloc(12 * 1024 * 1024, "0123456789abcdef");
    const f = await a.files.create({ file: await toFile(big, "big.bin"), purpose: "user_data" });
    expect(f.bytes).toBe(big.length);
    const back = Buffer.from(await (await a.files.content(f.id)).arrayBuffer());
    expect(back.equals(big)).toBe(true);
    await expect(proxy.sdk(B).files.content(f.id)).rejects.toMatchObject({ status: 404 });
    // A second store over the same bucket (another replica, or after a restart) sees the file.
    expect((await new S3FileStore(s3, "router-files", "t/").meta(f.id))?.bytes).toBe(big.length);
    await a.files.delete(f.id);
    expect(await new S3FileStore(s3, "router-files", "t/").meta(f.id)).toBeUndefined();
  });

  it("runs a batch whose input and output files live there", async () => {
    const a = proxy.sdk(A);
    const file = await a.files.create({ file: await toFile(Buffer.from(chatLines(3)), "in.jsonl"), purpose: "batch" });
    const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    const done = await untilFinal(a, made.id);
    expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });
    const out = (await (await a.files.content(done.output_file_id as string)).text()).trim().split("\n");
    expect(out.map((l) => JSON.parse(l).custom_id).sort()).toEqual(["req-0", "req-1", "req-2"]);
  });
});
