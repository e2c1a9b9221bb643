import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { swaggerUi } from "./swagger-ui.js";

describe("swaggerUi", () => {
  it("builds one page that loads local assets only and never persists authorization", () => {
    const ui = swaggerUi({ title: "AI Router <admin> API" });
    expect(ui.page).toContain("<title>AI Router &#60;admin&#62; API</title>");
    expect(ui.page).toContain('src="/docs/swagger-ui-bundle.js"');
    expect(ui.page).toContain('src="/docs/swagger-init.js"');
    expect(ui.page).not.toMatch(/https?:\/\//);
    expect(ui.init).toContain('url: "/openapi.json"');
    expect(ui.init).toContain("persistAuthorization: false");
    expect(ui.assets.constructor).toBeUndefined();
    for (const file of Object.keys(ui.assets)) expect(existsSync(join(ui.distDir, file)), file).toBe(true);
  });

  it("takes another base path and document URL", () => {
    const ui = swaggerUi({ title: "x", base: "/api-docs", specUrl: "/v1/openapi.json" });
    expect(ui.page).toContain('href="/api-docs/swagger-ui.css"');
    expect(ui.init).toContain('url: "/v1/openapi.json"');
  });
});
