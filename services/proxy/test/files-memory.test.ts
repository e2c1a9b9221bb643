import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyProcess, spawnProxy } from "./harness.js";

const MB = 1024 * 1024;
const SIZE = 200 * MB;
let dir: string;
let p: ProxyProcess;

/** The process's peak resident memory so far (VmHWM), MB. */
const peakMb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "router-files-mem-"));
  const config = join(dir, "router.yaml");
  writeFileSync(
    config,
    JSON.stringify({ providers: [{ name: "m", type: "mock" }], models: [{ name: "m", providers: [{ provider: "m" }] }] }),
  );
  p = await spawnProxy({ ROUTER_CONFIG: config, ROUTER_DATA_DIR: join(dir, "data"), ROUTER_WARMUP: "0" });
});
afterAll(async () => {
  await p?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a 200 MB file through the proxy process", () => {
  it("is uploaded and downloaded as a stream: the proxy's peak memory grows far less than the file", async () => {
    const pid = p.child.pid as number;
    const before = peakMb(pid);
    const boundary = "----membound";
    const chunk = Buffer.alloc(MB, "abcdefghijklmnopqrstuvwxyz\n");
    async function* form() {
      yield Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n`);
      yield Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.txt"\r\ncontent-type: text/plain\r\n\r\n`,
      );
      for (let i = 0; i < SIZE / MB; i++) yield chunk;
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    }
    const res = await fetch(`${p.url}/v1/files`, {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body: Readable.toWeb(Readable.from(form())) as ReadableStream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(200);
    const f = (await res.json()) as { id: string; bytes: number };
    expect(f.bytes).toBe(SIZE);
    const down = await fetch(`${p.url}/v1/files/${f.id}/content`);
    let got = 0;
    for await (const c of down.body as unknown as AsyncIterable<Uint8Array>) got += c.length;
    expect(got).toBe(SIZE);
    expect(peakMb(pid) - before).toBeLessThan(64);
  }, 60_000);
});
