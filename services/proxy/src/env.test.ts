import { describe, expect, it } from "vitest";
import { ProxyEnv } from "./env.js";

describe("ProxyEnv metrics settings", () => {
  it("ROUTER_METRICS_PUBLIC is off unless 1 or true; anything else is refused at boot", () => {
    expect(ProxyEnv.parse({}).ROUTER_METRICS_PUBLIC).toBe(false);
    expect(ProxyEnv.parse({ ROUTER_METRICS_PUBLIC: "" }).ROUTER_METRICS_PUBLIC).toBe(false);
    expect(ProxyEnv.parse({ ROUTER_METRICS_PUBLIC: "false" }).ROUTER_METRICS_PUBLIC).toBe(false);
    expect(ProxyEnv.parse({ ROUTER_METRICS_PUBLIC: "1" }).ROUTER_METRICS_PUBLIC).toBe(true);
    expect(ProxyEnv.parse({ ROUTER_METRICS_PUBLIC: "true" }).ROUTER_METRICS_PUBLIC).toBe(true);
    expect(ProxyEnv.safeParse({ ROUTER_METRICS_PUBLIC: "yes" }).success).toBe(false);
  });

  it("ROUTER_METRICS_TOKEN needs 16 characters", () => {
    expect(ProxyEnv.safeParse({ ROUTER_METRICS_TOKEN: "short" }).success).toBe(false);
    expect(ProxyEnv.parse({ ROUTER_METRICS_TOKEN: "0123456789abcdef" }).ROUTER_METRICS_TOKEN).toBe("0123456789abcdef");
  });
});
