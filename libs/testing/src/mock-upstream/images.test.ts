import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isMockForm, MOCK_PNG } from "./openai.js";
import { type MockUpstream, startMockUpstream } from "./server.js";

// The official client is the judge: what it sends, the mock must parse; what the mock answers, it must accept.
let mock: MockUpstream;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMockUpstream();
  client = new OpenAI({ baseURL: mock.baseUrl, apiKey: "sk-test", maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => {
  mock.behavior.reset();
  mock.requests.length = 0;
});

/** Bytes that break any text conversion: CR LF, boundary-like dashes, invalid UTF-8. */
const binary = Buffer.concat([MOCK_PNG, Buffer.from("\r\n--\r\n"), Buffer.from([0xff, 0xfe, 0x00, 0x80])]);

describe("mock OpenAI images, driven by the official openai client", () => {
  it("generates: url (dall-e-3 with revised_prompt) or b64_json with usage (gpt-image-1)", async () => {
    const d3 = await client.images.generate({ model: "dall-e-3", prompt: "a fox" });
    expect(d3.created).toBeGreaterThan(0);
    expect(d3.data?.[0]).toMatchObject({ revised_prompt: "Revised: a fox" });
    expect(d3.data?.[0]?.url).toMatch(/^https:\/\//);
    const gi = await client.images.generate({ model: "gpt-image-1", prompt: "a fox", n: 2 });
    expect(gi.data).toHaveLength(2);
    expect(Buffer.from(gi.data?.[0]?.b64_json ?? "", "base64").equals(MOCK_PNG)).toBe(true);
    expect(gi.usage?.total_tokens).toBe((gi.usage?.input_tokens ?? 0) + (gi.usage?.output_tokens ?? 0));
    expect(mock.received("/images/generations")[1]?.body).toMatchObject({ model: "gpt-image-1", n: 2 });
  });

  it("edits: records the multipart fields and the file bytes exactly", async () => {
    const r = await client.images.edit({
      model: "dall-e-2",
      prompt: "add a hat",
      image: await toFile(binary, "in.png", { type: "image/png" }),
      mask: await toFile(MOCK_PNG, "m.png", { type: "image/png" }),
      response_format: "b64_json",
    });
    expect(Buffer.from(r.data?.[0]?.b64_json ?? "", "base64").equals(binary)).toBe(true);
    const body = mock.received("/images/edits")[0]?.body;
    if (!isMockForm(body)) throw new Error("not recorded as multipart");
    expect(body.fields).toMatchObject({ model: "dall-e-2", prompt: "add a hat", response_format: "b64_json" });
    expect(body.files.map((f) => [f.field, f.filename, f.type])).toEqual([
      ["image", "in.png", "image/png"],
      ["mask", "m.png", "image/png"],
    ]);
    expect(body.files[0]?.data.equals(binary)).toBe(true);
  });

  it("variations need only an image; edits need a prompt; JSON and broken multipart are 400s as at OpenAI", async () => {
    const v = await client.images.createVariation({ image: await toFile(MOCK_PNG, "v.png"), n: 3 });
    expect(v.data).toHaveLength(3);
    const noPrompt = await client.images.edit({ image: await toFile(MOCK_PNG, "v.png"), prompt: "" }).catch((e: unknown) => e);
    expect(noPrompt).toBeInstanceOf(OpenAI.BadRequestError);
    const json = await fetch(`${mock.baseUrl}/images/edits`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ image: "abc", prompt: "x" }),
    });
    expect(json.status).toBe(400);
    const broken = await fetch(`${mock.baseUrl}/images/variations`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=zz" },
      body: "--zz\r\nContent-Disposition: form-data; name=",
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { message: string } }).error.message).toMatch(/Malformed multipart/);
  });

  it("image endpoints honour failure behaviours like the others", async () => {
    mock.behavior.next({ status: 503 });
    const err = await client.images.createVariation({ image: await toFile(MOCK_PNG, "v.png") }).catch((e: unknown) => e);
    expect((err as { status?: number }).status).toBe(503);
  });
});
