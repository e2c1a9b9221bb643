import { isMockForm, type MockForm, type MockUpstream, startMockUpstream } from "@ai-router/testing";
import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

/** A real 1x1 PNG: its signature holds CR LF and LF bytes, so any text mangling shows. */
const PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const PNG = Buffer.from(PNG_B64, "base64");
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x0d, 0x0a, 0x2d, 0x2d, 0xff, 0xd9]);
const ALL = "sk-all-models-key";
const LIMITED = "sk-only-dalle2-key";
const MAX_BODY = 64 * 1024;

let up0: MockUpstream;
let up1: MockUpstream;
let proxy: TestProxy;
let client: OpenAI;

beforeAll(async () => {
  up0 = await startMockUpstream();
  up1 = await startMockUpstream();
  const cfg = openAIConfig([up0.baseUrl, up1.baseUrl], {
    server: { max_body_bytes: MAX_BODY },
    keys: [
      { name: "all", key: ALL },
      { name: "limited", key: LIMITED, models: ["dall-e-2"] },
    ],
  });
  (cfg.providers as unknown[]).push({ name: "claude", type: "anthropic", base_url: up0.url, api_key: "sk-ant-test" });
  (cfg.models as unknown[]).push(
    {
      name: "dall-e-2",
      llm_type: "image",
      providers: [
        { provider: "up0", model: "dall-e-2-a", priority: 0 },
        { provider: "up1", model: "dall-e-2-b", priority: 1 },
      ],
    },
    { name: "dall-e-3", llm_type: "image", providers: [{ provider: "up0", model: "dall-e-3" }] },
    {
      name: "gpt-image-1",
      llm_type: "image",
      providers: [
        { provider: "claude", model: "claude-draws", priority: 0 },
        { provider: "up1", model: "gpt-image-1", priority: 1, params: { quality: "low" } },
      ],
    },
  );
  proxy = await startTestProxy(cfg);
  client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: ALL, maxRetries: 0 });
});
afterAll(async () => {
  await proxy.close();
  await up0.close();
  await up1.close();
});
beforeEach(() => {
  for (const u of [up0, up1]) {
    u.behavior.reset();
    u.requests.length = 0;
  }
});

/** The multipart form the upstream received at `suffix` (parsed by the platform's FormData, not ours). */
function formAt(u: MockUpstream, suffix: string): MockForm {
  const got = u.received(suffix);
  expect(got).toHaveLength(1);
  const body = got[0]?.body;
  if (!isMockForm(body)) throw new Error(`upstream did not get multipart: ${String(body)}`);
  return body;
}

const post = (path: string, body: string | Buffer, contentType: string, key = ALL) =>
  fetch(`${proxy.url}${path}`, { method: "POST", headers: { "content-type": contentType, authorization: `Bearer ${key}` }, body });

describe("image edits and variations through the proxy", () => {
  it("openai SDK images.edit: multipart arrives with the upstream model id and the image bytes intact", async () => {
    const { data, response } = await client.images
      .edit({ image: await toFile(PNG, "cat.png", { type: "image/png" }), prompt: "添加彩虹背景", model: "dall-e-2", size: "256x256" })
      .withResponse();
    expect(data.data?.[0]?.url).toMatch(/^https:\/\//);
    expect(response.headers.get("x-router-model")).toBe("dall-e-2-a");
    const form = formAt(up0, "/v1/images/edits");
    expect(form.fields).toMatchObject({ model: "dall-e-2-a", prompt: "添加彩虹背景", size: "256x256" });
    expect(form.files).toHaveLength(1);
    expect(form.files[0]).toMatchObject({ field: "image", filename: "cat.png", type: "image/png" });
    expect(form.files[0]?.data.equals(PNG)).toBe(true);
    expect(up0.received("/images/edits")[0]?.headers.authorization).toBe("Bearer sk-test-key-0");
  });

  it("several images (image[]) and a mask; a provider without image edits is skipped; gpt-image usage is counted", async () => {
    const before = (await (await fetch(`${proxy.url}/v1/stats`, { headers: { authorization: `Bearer ${ALL}` } })).json()) as {
      stats: { prompt_tokens: Record<string, number> };
    };
    const { data, response } = await client.images
      .edit({
        model: "gpt-image-1",
        prompt: "merge these",
        image: [await toFile(PNG, "a.png", { type: "image/png" }), await toFile(JPEG, "b.jpg", { type: "image/jpeg" })],
        mask: await toFile(PNG, "mask.png", { type: "image/png" }),
      })
      .withResponse();
    expect(response.headers.get("x-router-provider")).toBe("up1");
    expect(response.headers.get("x-router-attempts")).toBe("2");
    expect(Buffer.from(data.data?.[0]?.b64_json ?? "", "base64").equals(PNG)).toBe(true);
    expect(data.usage?.input_tokens).toBeGreaterThan(0);
    expect(up0.requests).toHaveLength(0); // the anthropic target never got an images call
    const form = formAt(up1, "/images/edits");
    expect(form.fields).toMatchObject({ model: "gpt-image-1", quality: "low" });
    expect(form.files.map((f) => [f.field, f.filename])).toEqual([
      ["image[]", "a.png"],
      ["image[]", "b.jpg"],
      ["mask", "mask.png"],
    ]);
    expect(form.files[1]?.data.equals(JPEG)).toBe(true);
    const after = (await (await fetch(`${proxy.url}/v1/stats`, { headers: { authorization: `Bearer ${ALL}` } })).json()) as typeof before;
    expect((after.stats.prompt_tokens["gpt-image-1"] ?? 0) - (before.stats.prompt_tokens["gpt-image-1"] ?? 0)).toBe(
      data.usage?.input_tokens,
    );
  });

  it("openai SDK images.createVariation: no prompt needed, dall-e-2 when no model is named", async () => {
    const res = await client.images.createVariation({ image: await toFile(PNG, "v.png", { type: "image/png" }), n: 2 });
    expect(res.data).toHaveLength(2);
    const form = formAt(up0, "/images/variations");
    expect(form.fields).toEqual({ model: "dall-e-2-a", n: "2" });
    expect(form.files[0]?.data.equals(PNG)).toBe(true);
  });

  it("openai SDK images.generate: dall-e-3 by default, OpenAI's response shape", async () => {
    const res = await client.images.generate({ prompt: "a lighthouse" });
    expect(res.data?.[0]).toMatchObject({ revised_prompt: "Revised: a lighthouse" });
    expect(res.data?.[0]?.url).toMatch(/^https:\/\//);
    expect(up0.received("/images/generations")[0]?.body).toMatchObject({ model: "dall-e-3", prompt: "a lighthouse" });
  });

  it("the original README's JSON example works with a real base64 PNG, sent upstream as multipart", async () => {
    const res = await post(
      "/v1/images/edits",
      JSON.stringify({ model: "dall-e-2", image: PNG_B64, prompt: "添加彩虹背景" }),
      "application/json",
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { created: number; data: { url: string }[] };
    expect(body.created).toBeGreaterThan(0);
    expect(body.data[0]?.url).toMatch(/^https:\/\//);
    const form = formAt(up0, "/images/edits");
    expect(form.fields).toEqual({ model: "dall-e-2-a", prompt: "添加彩虹背景" });
    expect(form.files[0]).toMatchObject({ field: "image", filename: "image.png", type: "image/png" });
    expect(form.files[0]?.data.equals(PNG)).toBe(true);
  });

  it("JSON: data URLs and JPEG are sniffed from the bytes; variations take no prompt", async () => {
    const image = `data:application/octet-stream;base64,${JPEG.toString("base64")}`;
    const res = await post("/v1/images/variations", JSON.stringify({ image, response_format: "b64_json" }), "application/json");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { b64_json: string }[] };
    expect(Buffer.from(body.data[0]?.b64_json ?? "", "base64").equals(JPEG)).toBe(true);
    const form = formAt(up0, "/images/variations");
    expect(form.files[0]).toMatchObject({ filename: "image.jpg", type: "image/jpeg" });
    expect(form.fields).toEqual({ model: "dall-e-2-a", response_format: "b64_json" });
  });

  it("JSON: URLs, non-images and a missing prompt are 400s that say why, and nothing goes upstream", async () => {
    const cases: [string, object, RegExp, string][] = [
      ["/v1/images/edits", { image: "https://example.com/cat.png", prompt: "x" }, /does not fetch URLs/, "image"],
      ["/v1/images/edits", { image: "base64_encoded_image", prompt: "x" }, /not a PNG, JPEG or WebP/, "image"],
      ["/v1/images/edits", { image: "not base64!", prompt: "x" }, /base64-encoded image or a data URL/, "image"],
      ["/v1/images/edits", { image: PNG_B64 }, /Missing required parameter: 'prompt'/, "prompt"],
      ["/v1/images/edits", { image: PNG_B64, mask: "data:image/png,raw", prompt: "x" }, /not base64-encoded/, "mask"],
      ["/v1/images/variations", { image: PNG_B64, n: 11 }, /'n'/, "n"],
      ["/v1/images/variations", { image: PNG_B64, extra: { nested: 1 } }, /'extra'/, "extra"],
    ];
    for (const [path, body, message, param] of cases) {
      const res = await post(path, JSON.stringify(body), "application/json");
      const err = ((await res.json()) as { error: { message: string; param: string } }).error;
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(err.message).toMatch(message);
      expect(err.param).toBe(param);
    }
    expect(up0.requests).toHaveLength(0);
  });

  it("fails over on a 500 and replays the same bytes to the next target", async () => {
    up0.behavior.next({ status: 500 });
    const { response } = await client.images
      .edit({ image: await toFile(PNG, "cat.png", { type: "image/png" }), prompt: "p", model: "dall-e-2" })
      .withResponse();
    expect(response.headers.get("x-router-attempts")).toBe("2");
    expect(response.headers.get("x-router-model")).toBe("dall-e-2-b");
    expect(formAt(up0, "/images/edits").fields.model).toBe("dall-e-2-a");
    const form = formAt(up1, "/images/edits");
    expect(form.fields.model).toBe("dall-e-2-b");
    expect(form.files[0]?.data.equals(PNG)).toBe(true);
  });

  it("passes an upstream 400 on at once, without failover", async () => {
    up0.behavior.next({ status: 400, message: "Invalid image: must be square." });
    const err = await client.images.createVariation({ image: await toFile(PNG, "v.png") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toContain("must be square");
    expect(up1.requests).toHaveLength(0);
  });

  it("413 over the body limit", async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(MAX_BODY)]);
    const err = await client.images.edit({ image: await toFile(big, "big.png"), prompt: "p" }).catch((e: unknown) => e);
    expect((err as { status?: number }).status).toBe(413);
    const res = await post("/v1/images/edits", JSON.stringify({ image: big.toString("base64"), prompt: "p" }), "application/json");
    expect(res.status).toBe(413);
    expect(up0.requests).toHaveLength(0);
  });

  it("malformed multipart is a 400 naming the problem, never a 500 or a hang", async () => {
    const ok = `--b\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nx\r\n--b\r\nContent-Disposition: form-data; name="image"; filename="i.png"\r\n\r\n`;
    const cases: [Buffer, string, RegExp][] = [
      [Buffer.from(`${ok}${PNG}\r\n--b--\r\n`), "multipart/form-data", /no boundary/],
      [Buffer.concat([Buffer.from(ok), PNG]), "multipart/form-data; boundary=b", /cut off/],
      [Buffer.from("garbage"), "multipart/form-data; boundary=b", /does not contain/],
      [
        Buffer.from(`--b\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nx\r\n--b--\r\n`),
        "multipart/form-data; boundary=b",
        /'image'/,
      ],
      [
        Buffer.from(`--b\r\nContent-Disposition: form-data; name="image"\r\n\r\nx\r\n--b--\r\n`),
        "multipart/form-data; boundary=b",
        /file upload/,
      ],
    ];
    for (const [body, type, message] of cases) {
      const res = await post("/v1/images/edits", body, type);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    const res = await post("/v1/images/edits", "image=x", "application/x-www-form-urlencoded");
    expect(res.status).toBe(415);
    expect(up0.requests).toHaveLength(0);
  });

  it("a chat model is a 400, an unknown model a 404, a model outside the key a 403", async () => {
    const image = await toFile(PNG, "cat.png", { type: "image/png" });
    const chat = await client.images.edit({ image, prompt: "p", model: "gpt-4o" }).catch((e: unknown) => e);
    expect(chat).toBeInstanceOf(OpenAI.BadRequestError);
    expect((chat as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("model");
    const unknown = await client.images.edit({ image, prompt: "p", model: "dall-e-9" }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");
    const limited = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: LIMITED, maxRetries: 0 });
    const denied = await limited.images.edit({ image, prompt: "p", model: "gpt-image-1" }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const noKey = await post("/v1/images/edits", "{}", "application/json", "sk-wrong-key-123");
    expect(noKey.status).toBe(401);
    expect(up0.requests.length + up1.requests.length).toBe(0);
  });

  it("GET /v1/images/models lists the image models the key may use", async () => {
    const list = async (key: string) => {
      const res = await fetch(`${proxy.url}/v1/images/models`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { object: string; data: { id: string; object: string }[] };
      expect(body.object).toBe("list");
      return body.data.map((m) => m.id).sort();
    };
    expect(await list(ALL)).toEqual(["dall-e-2", "dall-e-3", "gpt-image-1"]);
    expect(await list(LIMITED)).toEqual(["dall-e-2"]);
  });
});
