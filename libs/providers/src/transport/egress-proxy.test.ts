import { describe, expect, it } from "vitest";
import { bypassesProxy, proxyFor, redactUrl } from "./egress-proxy.js";

const u = (s: string) => new URL(s);

describe("proxyFor", () => {
  it("prefers the provider's own proxy, then HTTPS_PROXY for https and HTTP_PROXY for http", () => {
    const env = { HTTPS_PROXY: "http://s:1", HTTP_PROXY: "http://p:2" };
    expect(proxyFor(u("https://api.example.com"), "socks5://own:3", env)).toBe("socks5://own:3");
    expect(proxyFor(u("https://api.example.com"), undefined, env)).toBe("http://s:1");
    expect(proxyFor(u("http://api.example.com"), undefined, env)).toBe("http://p:2");
    expect(proxyFor(u("https://api.example.com"), undefined, { https_proxy: "http://lower:1" })).toBe("http://lower:1");
    expect(proxyFor(u("http://api.example.com"), undefined, { HTTPS_PROXY: "http://s:1" })).toBeUndefined();
    expect(proxyFor(u("https://api.example.com"), undefined, {})).toBeUndefined();
  });

  it("honours NO_PROXY for the environment's proxy (not for a provider's own)", () => {
    const env = { HTTPS_PROXY: "http://s:1", NO_PROXY: "localhost, .internal,10.0.0.5" };
    expect(proxyFor(u("https://model.internal"), undefined, env)).toBeUndefined();
    expect(proxyFor(u("https://10.0.0.5:8443"), undefined, env)).toBeUndefined();
    expect(proxyFor(u("https://api.openai.com"), undefined, env)).toBe("http://s:1");
    expect(proxyFor(u("https://model.internal"), "http://own:1", env)).toBe("http://own:1");
  });
});

describe("bypassesProxy", () => {
  it("matches hosts, subdomains, wildcards and ports like curl", () => {
    expect(bypassesProxy(u("https://api.example.com"), "example.com")).toBe(true);
    expect(bypassesProxy(u("https://api.example.com"), "*.example.com")).toBe(true);
    expect(bypassesProxy(u("https://badexample.com"), "example.com")).toBe(false);
    expect(bypassesProxy(u("https://example.com:8443"), "example.com:443")).toBe(false);
    expect(bypassesProxy(u("https://example.com"), "example.com:443")).toBe(true);
    expect(bypassesProxy(u("http://[::1]:80"), "[::1]")).toBe(true);
    expect(bypassesProxy(u("https://anything"), "*")).toBe(true);
    expect(bypassesProxy(u("https://anything"), "")).toBe(false);
  });
});

describe("redactUrl", () => {
  it("masks user and password and drops everything but the origin", () => {
    expect(redactUrl("http://bob:s3cret@proxy.local:3128")).toBe("http://***@proxy.local:3128");
    expect(redactUrl("socks5://u:p@10.0.0.1:1080")).toBe("socks5://***@10.0.0.1:1080");
    expect(redactUrl("http://proxy.local:3128")).toBe("http://proxy.local:3128");
    expect(redactUrl("not a url s3cret")).toBe("(invalid URL)");
  });
});
