import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, maskSecret } from "./index.js";

describe("logger", () => {
  it("redacts credentials wherever they sit", () => {
    let out = "";
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += chunk;
        cb();
      },
    });
    const log = createLogger({ name: "t", destination: sink });
    log.info(
      {
        headers: { authorization: "Bearer sk-live-1", "x-api-key": "sk-live-2" },
        provider: { api_key: "sk-live-3", apiKeys: ["sk-live-4"] },
      },
      "x",
    );
    expect(out).toContain("[redacted]");
    expect(out).not.toMatch(/sk-live-\d/);
  });

  it("masks secrets to a recognisable stub", () => {
    expect(maskSecret("sk-proj-abcdefghijklmnop")).toBe("sk-...mnop");
    expect(maskSecret("short")).toBe("****");
  });
});
