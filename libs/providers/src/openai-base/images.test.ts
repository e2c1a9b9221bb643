import { describe, expect, it } from "vitest";
import type { TargetContext } from "../adapter.js";
import { boundaryOf, formText, parseMultipart } from "../multipart.js";
import { imageUsage, multipartEndpoint, toUpstreamForm } from "./images.js";

const target = (params: Record<string, unknown> = {}): TargetContext => ({
  provider: {
    name: "p",
    type: "openai",
    baseUrl: "https://api.example/v1",
    origin: "https://api.example",
    basePath: "/v1",
    apiKeys: ["sk-x"],
    headers: { "x-extra": "1" },
  } as unknown as TargetContext["provider"],
  apiKey: "sk-x",
  upstreamModel: "dall-e-2-upstream",
  params,
  clientHeaders: {},
});

const text = (name: string, v: string) => ({ name, data: Buffer.from(v) });

describe("OpenAI-style image form endpoints", () => {
  it("sets the model to the upstream id, drops repeats, and adds defaults only where the client sent nothing", () => {
    const parts = [text("model", "alias"), text("prompt", "p"), text("model", "other"), text("size", "256x256")];
    const out = toUpstreamForm(parts, target({ size: "1024x1024", n: 2, nested: { a: 1 } }));
    expect(out.map((p) => [p.name, p.data.toString()])).toEqual([
      ["model", "dall-e-2-upstream"],
      ["prompt", "p"],
      ["size", "256x256"],
      ["n", "2"],
    ]);
    expect(toUpstreamForm([text("prompt", "p")], target()).map((p) => p.name)).toEqual(["prompt", "model"]);
  });

  it("builds a multipart request with auth, provider headers and the new boundary", () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x0d, 0x0a]);
    const req = multipartEndpoint("/images/edits").build(
      [{ name: "image", filename: "i.png", contentType: "image/png", data: png }, text("model", "x")],
      target(),
    );
    expect(req).toMatchObject({ method: "POST", path: "/images/edits" });
    expect(req.headers).toMatchObject({ authorization: "Bearer sk-x", "x-extra": "1" });
    const parts = parseMultipart(req.body as Buffer, boundaryOf(req.headers["content-type"] as string));
    expect(parts[0]?.data.equals(png)).toBe(true);
    expect(formText(parts[1] as (typeof parts)[number])).toBe("dall-e-2-upstream");
  });

  it("reads gpt-image token usage as prompt/completion tokens, and dall-e responses as an image count", () => {
    const u = imageUsage(
      Buffer.from('{"created":1,"data":[{"b64_json":"AAAA"}],"usage":{"input_tokens":7,"output_tokens":272,"total_tokens":279}}'),
    );
    expect(u).toMatchObject({ prompt_tokens: 7, completion_tokens: 272, total_tokens: 279, images: 1 });
    expect(imageUsage(Buffer.from('{"created":1,"data":[{"url":"u","revised_prompt":"a \\"url\\" here"},{"url":"v"}]}'))).toEqual({
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
      images: 2,
    });
    expect(imageUsage(Buffer.from('{"created":1,"data":[]}'))).toBeUndefined();
  });
});
