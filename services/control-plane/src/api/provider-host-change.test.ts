import { describe, expect, it } from "vitest";
import { probeReason } from "./probe-reason.js";
import { checkHostChange, endpointOrigin } from "./provider-host-change.js";

const stored = { name: "p", officialEndpoint: "https://api.example.com/v1", thirdPartyEndpoint: null, keys: [{}], headers: {} };

describe("checkHostChange", () => {
  it("same origin (another path) is no move; another host, port or scheme is", () => {
    expect(checkHostChange(stored, { base_url: "https://api.example.com/v2" })).toBeUndefined();
    expect(checkHostChange(stored, { description: "x" })).toBeUndefined();
    for (const url of ["https://evil.example/v1", "https://api.example.com:8443/v1", "http://api.example.com/v1"]) {
      expect(() => checkHostChange(stored, { base_url: url }), url).toThrow(/give api_key again/);
    }
    expect(() =>
      checkHostChange(
        { ...stored, officialEndpoint: null, thirdPartyEndpoint: "https://a.example" },
        { third_party_endpoint: "https://b.example" },
      ),
    ).toThrow(/api_key/);
  });

  it("re-entered or confirmed secrets pass and say which; headers stored need headers, in plain text", () => {
    expect(checkHostChange(stored, { base_url: "https://evil.example/v1", api_key: "sk-new" })).toEqual({
      from: "https://api.example.com",
      to: "https://evil.example",
      secrets: "re-entered",
    });
    expect(checkHostChange(stored, { base_url: "https://evil.example/v1", confirm_new_host: true })?.secrets).toBe("confirmed");
    const withHeaders = { ...stored, headers: { "x-k": "enc:v1:abc" } };
    expect(() => checkHostChange(withHeaders, { base_url: "https://evil.example", api_key: "k" })).toThrow(/give headers again/);
    expect(() =>
      checkHostChange(withHeaders, { base_url: "https://evil.example", api_key: "k", headers: { "x-k": "enc:v1:abc" } }),
    ).toThrow(/plain text/);
    expect(checkHostChange(withHeaders, { base_url: "https://evil.example", api_key: "k", headers: { "x-k": "v" } })?.secrets).toBe(
      "re-entered",
    );
    expect(checkHostChange({ ...stored, keys: [] }, { base_url: "https://evil.example" })?.secrets).toBe("none");
    // Clearing the endpoint sends nothing anywhere.
    expect(checkHostChange(stored, { base_url: undefined, official_endpoint: null })).toBeUndefined();
  });

  it("endpointOrigin", () => {
    expect(endpointOrigin("https://A.example:443/v1", null)).toBe("https://a.example");
    expect(endpointOrigin(null, null)).toBeNull();
  });
});

describe("probeReason", () => {
  it("classifies by status and never repeats what the upstream wrote", () => {
    expect(probeReason({ ok: true, status: 200, error: null })).toBeNull();
    expect(probeReason({ ok: false, status: 401, error: "HTTP 401: your key sk-... is for org secret-org" })).toBe(
      "HTTP 401: unauthorized (check the key)",
    );
    expect(probeReason({ ok: false, status: 502, error: "HTTP 502: <html>internal host 10.1.2.3</html>" })).toBe(
      "HTTP 502: upstream error",
    );
    expect(probeReason({ ok: false, status: 418, error: "HTTP 418: teapot details" })).toBe("HTTP 418: refused");
    expect(probeReason({ ok: false, status: 302, error: "HTTP 302: moved" })).toBe("HTTP 302: redirect (not followed)");
  });

  it("keeps the probe's own local reasons, reduces other errors to their code", () => {
    for (const e of ["timed out after 150 ms", "connection refused (ECONNREFUSED)", "host not found (ENOTFOUND)", "connect timed out"]) {
      expect(probeReason({ ok: false, status: null, error: e })).toBe(e);
    }
    expect(
      probeReason({ ok: false, status: null, error: "self-signed certificate for secret.internal (DEPTH_ZERO_SELF_SIGNED_CERT)" }),
    ).toBe("connection failed (DEPTH_ZERO_SELF_SIGNED_CERT)");
    expect(probeReason({ ok: false, status: null, error: "socket hang up from 10.0.0.1" })).toBe("connection failed");
  });
});
