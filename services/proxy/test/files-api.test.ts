import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAIConfig } from "./harness.js";
import { chatLines, type OfflineProxy, startOfflineProxy } from "./offline-setup.js";

const A = "sk-team-a-files-1111111111";
const B = "sk-team-b-files-2222222222";
let up: MockUpstream;
let proxy: OfflineProxy;

beforeAll(async () => {
  up = await startMockUpstream();
  const cfg = openAIConfig([up.baseUrl], {
    keys: [
      { name: "team-a", key: A },
      { name: "team-b", key: B },
    ],
  });
  proxy = await startOfflineProxy(cfg, { fileLimits: { "fine-tune": 4096 } });
});
afterAll(async () => {
  await proxy?.close();
  await up?.close();
});

describe("the Files API through the official openai client", () => {
  it("uploads, lists, retrieves, streams the content back and deletes", async () => {
    const a = proxy.sdk(A);
    const text = chatLines(3);
    const f = await a.files.create({ file: await toFile(Buffer.from(text), "in.jsonl"), purpose: "batch" });
    expect(f).toMatchObject({
      object: "file",
      bytes: Buffer.byteLength(text),
      filename: "in.jsonl",
      purpose: "batch",
      status: "processed",
    });
    expect(f.id).toMatch(/^file-[A-Za-z0-9]{24}$/);
    expect((await a.files.retrieve(f.id)).bytes).toBe(Buffer.byteLength(text));
    expect(await (await a.files.content(f.id)).text()).toBe(text);
    const listed = await a.files.list({ purpose: "batch" });
    expect(listed.data.map((x) => x.id)).toContain(f.id);
    expect(await a.files.delete(f.id)).toMatchObject({ id: f.id, deleted: true });
    await expect(a.files.retrieve(f.id)).rejects.toMatchObject({ status: 404 });
  });

  it("keeps a UTF-8 filename as sent (multipart parameters are not latin1)", async () => {
    const a = proxy.sdk(A);
    const f = await a.files.create({ file: await toFile(Buffer.from(chatLines(1)), "评测数据-é.jsonl"), purpose: "batch" });
    expect(f.filename).toBe("评测数据-é.jsonl");
    expect((await a.files.retrieve(f.id)).filename).toBe("评测数据-é.jsonl");
  });

  it("stores an upload's name without NUL or a lone surrogate (PostgreSQL keeps neither), and a long one cut whole", async () => {
    const a = proxy.sdk(A);
    const u = await a.uploads.create({ filename: "a\u0000b\ud800c.jsonl", purpose: "batch", bytes: 10, mime_type: "application/jsonl" });
    expect(u.filename).toBe("ab\ufffdc.jsonl");
    // 254 letters and an emoji (a surrogate pair) straddling the 255-unit cut: never half a pair.
    const long = await a.uploads.create({
      filename: `${"x".repeat(254)}😀.jsonl`,
      purpose: "batch",
      bytes: 10,
      mime_type: "application/jsonl",
    });
    expect(long.filename).toBe(`${"x".repeat(254)}\ufffd`);
  });

  it("keeps each key's files to itself: another key gets 404 and an empty list", async () => {
    const a = proxy.sdk(A);
    const b = proxy.sdk(B);
    const f = await a.files.create({ file: await toFile(Buffer.from("hello"), "notes.txt"), purpose: "user_data" });
    await expect(b.files.retrieve(f.id)).rejects.toMatchObject({ status: 404 });
    await expect(b.files.content(f.id)).rejects.toMatchObject({ status: 404 });
    await expect(b.files.delete(f.id)).rejects.toMatchObject({ status: 404 });
    expect((await b.files.list()).data.map((x) => x.id)).not.toContain(f.id);
    expect((await a.files.retrieve(f.id)).id).toBe(f.id);
  });

  it("refuses a batch file with a bad line, naming the line, and keeps nothing of it", async () => {
    const a = proxy.sdk(A);
    const before = (await a.files.list()).data.length;
    const text = `${chatLines(2)}\n{"custom_id":"x","method":"POST","url":"/v1/chat/completions","body":{}}\n`;
    const err = await a.files.create({ file: await toFile(Buffer.from(text), "bad.jsonl"), purpose: "batch" }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.message).toContain("line 3");
    const notJson = await a.files
      .create({ file: await toFile(Buffer.from(`${chatLines(1)}\n{oops\n`), "b.jsonl"), purpose: "batch" })
      .catch((e) => e);
    expect(notJson.status).toBe(400);
    expect(notJson.message).toContain("line 2: not valid JSON");
    const dup = await a.files
      .create({ file: await toFile(Buffer.from(`${chatLines(1)}\n${chatLines(1)}`), "d.jsonl"), purpose: "batch" })
      .catch((e) => e);
    expect(dup.message).toContain("line 2: duplicate custom_id");
    expect((await a.files.list()).data.length).toBe(before);
  });

  it("bounds the size per purpose (413) and asks for a known purpose (400)", async () => {
    const a = proxy.sdk(A);
    const big = `${JSON.stringify({ messages: [{ role: "user", content: "x".repeat(5000) }] })}\n`;
    const err = await a.files.create({ file: await toFile(Buffer.from(big), "ft.jsonl"), purpose: "fine-tune" }).catch((e) => e);
    expect(err.status).toBe(413);
    const small = `${JSON.stringify({ messages: [{ role: "user", content: "hi" }] })}\n`;
    expect((await a.files.create({ file: await toFile(Buffer.from(small), "ft.jsonl"), purpose: "fine-tune" })).purpose).toBe("fine-tune");
    const bad = await a.files.create({ file: await toFile(Buffer.from("x"), "x.txt"), purpose: "batch_output" as "batch" }).catch((e) => e);
    expect(bad.status).toBe(400);
    expect(bad.message).toContain("purpose");
  });

  it("answers a body that is not a form with a 4xx, never a 500", async () => {
    const res = await fetch(`${proxy.url}/v1/files`, {
      method: "POST",
      headers: { authorization: `Bearer ${A}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(415);
    const noFile = await fetch(`${proxy.url}/v1/files`, {
      method: "POST",
      headers: { authorization: `Bearer ${A}` },
      body: (() => {
        const f = new FormData();
        f.set("purpose", "batch");
        return f;
      })(),
    });
    expect(noFile.status).toBe(400);
  });
});

describe("the Uploads API: a file sent in parts", () => {
  it("joins the parts in the given order into one file of the upload's purpose", async () => {
    const a = proxy.sdk(A);
    const text = chatLines(6);
    const cut = [0, 100, 250, Buffer.byteLength(text)];
    const u = await a.uploads.create({
      filename: "big.jsonl",
      purpose: "batch",
      bytes: Buffer.byteLength(text),
      mime_type: "application/jsonl",
    });
    expect(u).toMatchObject({ object: "upload", status: "pending" });
    const parts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const data = await toFile(Buffer.from(text).subarray(cut[i], cut[i + 1]), `p${i}`);
      parts.push((await a.uploads.parts.create(u.id, { data })).id);
    }
    // Parts are nobody's files: not listed.
    expect((await a.files.list()).data.map((f) => f.id)).not.toContain(parts[0]);
    await expect(proxy.sdk(B).uploads.complete(u.id, { part_ids: parts })).rejects.toMatchObject({ status: 404 });
    const done = await a.uploads.complete(u.id, { part_ids: parts });
    expect(done.status).toBe("completed");
    expect(done.file).toMatchObject({ purpose: "batch", bytes: Buffer.byteLength(text), filename: "big.jsonl" });
    expect(await (await a.files.content(done.file?.id as string)).text()).toBe(text);
  });

  it("refuses parts that do not add up, and a batch file whose joined lines are bad", async () => {
    const a = proxy.sdk(A);
    const u = await a.uploads.create({ filename: "x.jsonl", purpose: "batch", bytes: 10, mime_type: "application/jsonl" });
    const p = await a.uploads.parts.create(u.id, { data: await toFile(Buffer.from("{oops}\n"), "p") });
    await expect(a.uploads.complete(u.id, { part_ids: [p.id] })).rejects.toMatchObject({ status: 400 });
    const bad = "{oops}\n{}\n";
    const v = await a.uploads.create({ filename: "x.jsonl", purpose: "batch", bytes: bad.length, mime_type: "application/jsonl" });
    const q = await a.uploads.parts.create(v.id, { data: await toFile(Buffer.from(bad), "p") });
    const err = await a.uploads.complete(v.id, { part_ids: [q.id] }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.message).toContain("line 1: not valid JSON");
    expect((await a.uploads.cancel(v.id)).status).toBe("cancelled");
  });
});
