import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalFileStore } from "../src/files/local-file-store.js";
import { sweepUploads } from "../src/files/upload-state.js";
import { openAIConfig } from "./harness.js";
import { chatLines, startOfflineProxy } from "./offline-setup.js";

const A = "sk-team-a-uploads-1111111111";
const B = "sk-team-b-uploads-2222222222";
let up: MockUpstream;
let dir: string;
let cfg: object;

beforeAll(async () => {
  up = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), "router-uploads-"));
  cfg = openAIConfig([up.baseUrl], {
    keys: [
      { name: "team-a", key: A },
      { name: "team-b", key: B },
    ],
  });
});
afterAll(async () => {
  await up?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a pending upload survives a restart", () => {
  it("takes parts before and after the proxy restarts, completes into one file, and stays the key's own", async () => {
    const text = chatLines(4);
    const cut = Math.floor(Buffer.byteLength(text) / 2);
    let p = await startOfflineProxy(cfg, { dir });
    const u = await p
      .sdk(A)
      .uploads.create({ filename: "in.jsonl", purpose: "batch", bytes: Buffer.byteLength(text), mime_type: "application/jsonl" });
    const first = await p.sdk(A).uploads.parts.create(u.id, { data: await toFile(Buffer.from(text).subarray(0, cut), "p0") });
    await p.close();

    p = await startOfflineProxy(cfg, { dir });
    try {
      await expect(p.sdk(B).uploads.parts.create(u.id, { data: await toFile(Buffer.from("x"), "p") })).rejects.toMatchObject({
        status: 404,
      });
      const second = await p.sdk(A).uploads.parts.create(u.id, { data: await toFile(Buffer.from(text).subarray(cut), "p1") });
      const done = await p.sdk(A).uploads.complete(u.id, { part_ids: [first.id, second.id] });
      expect(done.status).toBe("completed");
      expect(await (await p.sdk(A).files.content(done.file?.id as string)).text()).toBe(text);
      // Completed once: a second completion is refused, and the parts are gone.
      await expect(p.sdk(A).uploads.complete(u.id, { part_ids: [first.id, second.id] })).rejects.toMatchObject({ status: 400 });
      await expect(p.sdk(A).uploads.cancel(u.id)).rejects.toMatchObject({ status: 400 });
    } finally {
      await p.close();
    }
  });

  it("removes an upload never completed, with its parts, an hour after it expired", async () => {
    const files = new LocalFileStore(join(dir, "swept"));
    const p = await startOfflineProxy(cfg, { dir, files });
    try {
      const a = p.sdk(A);
      const u = await a.uploads.create({ filename: "x.jsonl", purpose: "batch", bytes: 10, mime_type: "application/jsonl" });
      await a.uploads.parts.create(u.id, { data: await toFile(Buffer.from("12345"), "p0") });
      const kept = await sweepUploads(files, u.expires_at);
      expect(kept).toBe(0);
      expect(await sweepUploads(files, u.expires_at + 3601)).toBe(1);
      expect(await files.list({ owner: undefined, limit: 100, order: "asc" })).toEqual([]);
      await expect(a.uploads.parts.create(u.id, { data: await toFile(Buffer.from("6"), "p1") })).rejects.toMatchObject({ status: 404 });
    } finally {
      await p.close();
    }
  });
});
