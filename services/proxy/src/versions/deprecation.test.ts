import { describe, expect, it } from "vitest";
import { DEPRECATED_PATHS } from "./deprecated-paths.js";
import { type DeprecationSpec, Deprecations, deprecationHeaders, metricPath, pathOf } from "./deprecation.js";

const spec: DeprecationSpec = {
  path: "GET /v1/old",
  route: "GET /v1/old",
  deprecatedAt: "2026-12-07T00:00:00Z",
  sunsetAt: "2027-06-30T23:59:59Z",
  successor: "/v1/new",
  docs: "https://example.com/docs/api-versions",
};

describe("deprecation headers", () => {
  it("RFC 9745 Deprecation is a structured-field date, RFC 8594 Sunset an HTTP-date, Link names successor and docs", () => {
    expect(deprecationHeaders(spec)).toEqual({
      deprecation: "@1796601600",
      sunset: "Wed, 30 Jun 2027 23:59:59 GMT",
      link: '</v1/new>; rel="successor-version", <https://example.com/docs/api-versions>; rel="deprecation"; type="text/html"',
    });
  });

  it("refuses a spec with a date that does not parse (at start, never per request)", () => {
    expect(() => deprecationHeaders({ ...spec, sunsetAt: "soon" })).toThrow(/bad deprecation dates/);
  });

  it("encodes the client's path segments in a successor link", () => {
    expect(pathOf("/v1/health/models/", "org/model a\r\n<x>")).toBe("/v1/health/models/org/model%20a%0D%0A%3Cx%3E");
  });

  it("every declared deprecation has valid dates, a sunset after it, and a successor", () => {
    for (const d of DEPRECATED_PATHS) {
      const h = deprecationHeaders(d, "m/health");
      expect(Number(h.deprecation.slice(1)) * 1000).toBeLessThan(Date.parse(d.sunsetAt));
      expect(h.link).toMatch(/^<\/v1\/[^>]+>; rel="successor-version"/);
    }
  });
});

describe("deprecated_requests_total labels", () => {
  it("write path parameters as :name, and every declared path appears from 0", () => {
    expect(metricPath('GET /v1/models/{model}/health "x"')).toBe('GET /v1/models/:model/health \\"x\\"');
    const text = new Deprecations(DEPRECATED_PATHS).metricsText();
    for (const d of DEPRECATED_PATHS) expect(text).toContain(`ai_router_deprecated_requests_total{path="${metricPath(d.path)}"} 0\n`);
    expect(text).not.toMatch(/\{[^"}]*\{/);
  });
});
