import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
});
