import { describe, expect, it } from "vitest";
import { boundaryOf, encodeMultipart, type FormPart, formText, isMultipartForm, MultipartError, parseMultipart } from "./multipart.js";

/** Every byte value, then the sequences a naive parser trips on. */
const nasty = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from("\r\n\r\n--\r\n--x\r\n\r\n"),
  Buffer.from([0x0d, 0x0a, 0x2d, 0x2d]),
]);

const parse = (body: Buffer, contentType: string) => parseMultipart(body, boundaryOf(contentType));

/** An independent encoder: undici's FormData, as fetch (and the openai SDK) serialise it. */
async function platformEncode(fd: FormData): Promise<{ body: Buffer; contentType: string }> {
  const req = new Request("http://x.invalid/", { method: "POST", body: fd });
  return { body: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get("content-type") as string };
}

describe("multipart/form-data reader and writer", () => {
  it("round-trips text fields and binary files byte for byte, CRLFs and dashes included", () => {
    const parts: FormPart[] = [
      { name: "prompt", data: Buffer.from("添加彩虹背景\r\nline two") },
      { name: "image[]", filename: "a.png", contentType: "image/png", data: nasty },
      { name: "image[]", filename: "b.png", contentType: "image/png", data: Buffer.alloc(0) },
      { name: "mask", filename: "mask.png", contentType: "image/png", data: nasty.subarray(10, 300) },
    ];
    const { body, contentType } = encodeMultipart(parts);
    const back = parse(body, contentType);
    expect(back.map((p) => [p.name, p.filename, p.contentType])).toEqual(parts.map((p) => [p.name, p.filename, p.contentType]));
    expect(back.map((p) => p.data.toString("hex"))).toEqual(parts.map((p) => p.data.toString("hex")));
    expect(formText(back[0] as FormPart)).toBe("添加彩虹背景\r\nline two");
  });

  it("reads what the platform's FormData writes (several files under one name)", async () => {
    const fd = new FormData();
    fd.append("model", "dall-e-2");
    fd.append("image[]", new File([new Uint8Array(nasty)], "one.png", { type: "image/png" }));
    fd.append("image[]", new File([new Uint8Array([1, 2, 3])], 'we"ird\nname.webp', { type: "image/webp" }));
    const { body, contentType } = await platformEncode(fd);
    const parts = parse(body, contentType);
    expect(parts.map((p) => p.name)).toEqual(["model", "image[]", "image[]"]);
    expect(formText(parts[0] as FormPart)).toBe("dall-e-2");
    expect(Buffer.compare(parts[1]?.data as Buffer, nasty)).toBe(0);
    expect(parts[2]).toMatchObject({ filename: "we%22ird%0Aname.webp", contentType: "image/webp" });
  });

  it("writes what the platform's FormData parser reads", async () => {
    const { body, contentType } = encodeMultipart([
      { name: "prompt", data: Buffer.from("a cat") },
      { name: "image", filename: 'x"y.png', contentType: "image/png", data: nasty },
    ]);
    const fd = await new Response(new Uint8Array(body), { headers: { "content-type": contentType } }).formData();
    expect(fd.get("prompt")).toBe("a cat");
    const file = fd.get("image") as File;
    expect(file.type).toBe("image/png");
    expect(Buffer.compare(Buffer.from(await file.arrayBuffer()), nasty)).toBe(0);
  });

  it("keeps boundary-like text inside data: without a leading CRLF, or as the start of a longer line", () => {
    const b = "XyZ";
    const data = Buffer.from(`--XyZ at the start\r\n--XyZabc is a longer line\r\nend`);
    const body = Buffer.from(`--XyZ\r\nContent-Disposition: form-data; name="f"; filename="f.bin"\r\n\r\n${data}\r\n--XyZ--\r\n`);
    const [part] = parseMultipart(body, b);
    expect(part?.data.toString()).toBe(data.toString());
  });

  it("picks another boundary when the requested one occurs in the data", () => {
    const data = Buffer.from("before ----fixed after");
    const { body, contentType } = encodeMultipart([{ name: "f", filename: "f", data }], "----fixed");
    expect(contentType).not.toContain("----fixed");
    expect(parse(body, contentType)[0]?.data.toString()).toBe(data.toString());
  });

  it("ignores preamble, epilogue and transport padding; reads quoted boundaries and RFC 5987 filenames", () => {
    const body = Buffer.from(
      "preamble\r\n--a b  \r\nContent-Disposition: form-data; name=\"image\"; filename*=UTF-8''%E5%9B%BE.png\r\n\r\nxy\r\n--a b--\r\nepilogue",
    );
    const [part, ...rest] = parse(body, 'multipart/form-data; boundary="a b"');
    expect(rest).toEqual([]);
    expect(part).toMatchObject({ name: "image", filename: "图.png" });
    expect(part?.data.toString()).toBe("xy");
  });

  it("rejects a missing or invalid boundary parameter", () => {
    expect(() => boundaryOf("multipart/form-data")).toThrow(MultipartError);
    expect(() => boundaryOf("multipart/form-data; boundary=")).toThrow(/no boundary/);
    expect(() => boundaryOf(`multipart/form-data; boundary=${"x".repeat(71)}`)).toThrow(/not valid/);
    expect(boundaryOf("multipart/form-data; charset=utf-8; boundary=abc")).toBe("abc");
    expect(isMultipartForm("Multipart/Form-Data; boundary=x")).toBe(true);
    expect(isMultipartForm("multipart/form-datax")).toBe(false);
  });

  it("rejects every truncation of a body with a MultipartError", () => {
    const { body, contentType } = encodeMultipart([
      { name: "prompt", data: Buffer.from("hello") },
      { name: "image", filename: "i.png", contentType: "image/png", data: Buffer.from("\r\n--\r\n") },
    ]);
    const b = boundaryOf(contentType);
    // The last valid prefix ends right after the closing `--boundary--`.
    for (let len = 0; len < body.length - 2; len++) {
      expect(() => parseMultipart(body.subarray(0, len), b), `prefix ${len}`).toThrow(MultipartError);
    }
    expect(parseMultipart(body.subarray(0, body.length - 2), b)).toHaveLength(2);
  });

  it("rejects parts without a form-data disposition, a name, or an end to their headers", () => {
    const wrap = (part: string) => Buffer.from(`--b\r\n${part}\r\n--b--\r\n`);
    expect(() => parseMultipart(wrap("Content-Type: text/plain\r\n\r\nx"), "b")).toThrow(/Content-Disposition/);
    expect(() => parseMultipart(wrap('Content-Disposition: attachment; name="a"\r\n\r\nx'), "b")).toThrow(/Content-Disposition/);
    expect(() => parseMultipart(wrap("Content-Disposition: form-data\r\n\r\nx"), "b")).toThrow(/no field name/);
    expect(() => parseMultipart(wrap("\r\nx"), "b")).toThrow(MultipartError);
    expect(() => parseMultipart(wrap('Content-Disposition: form-data; name="a"'), "b")).toThrow(/headers/);
    expect(() => parseMultipart(Buffer.from("--bX\r\n"), "b")).toThrow(/line break/);
    expect(() => parseMultipart(Buffer.from("no boundary here"), "b")).toThrow(/does not contain/);
    expect(() => formText({ name: "p", data: Buffer.from([0xff, 0xfe]) })).toThrow(/UTF-8/);
  });
});
