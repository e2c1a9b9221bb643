import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = fileURLToPath(new URL("..", import.meta.url));
interface Service {
  image?: string;
  ports?: string[];
  expose?: string[];
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(`${root}/docker-compose.yml`, "utf8"), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const s = compose.services;

describe("docker-compose.yml", () => {
  it("publishes only the load balancer, on ROUTER_PORT (8000), so --scale proxy=N never collides", () => {
    const published = Object.entries(s).filter(([, v]) => v.ports?.length);
    expect(published.map(([k]) => k)).toEqual(["lb"]);
    expect(s.lb?.ports).toEqual(["${ROUTER_PORT:-8000}:8000"]);
    expect(s.proxy?.ports).toBeUndefined();
    expect(s.postgres?.ports).toBeUndefined();
    const nginx = readFileSync(`${root}/deploy/nginx/nginx.conf`, "utf8");
    expect(nginx).toMatch(/server proxy:8000 resolve/);
    expect(nginx).toMatch(/proxy_buffering off;/);
    // WebSocket endpoints get the upgrade passed on (docs/websocket.md).
    expect(nginx).toMatch(
      /location ~ \^\/v1\/\(responses\|realtime\)\$ \{[^}]*proxy_set_header Upgrade \$http_upgrade;[^}]*Connection \$connection_upgrade;/,
    );
    expect(s.lb?.volumes).toContain("./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro");
  });

  it("has a health check and a restart policy on every service", () => {
    for (const [name, v] of Object.entries(s)) {
      expect(v.healthcheck?.test.length, name).toBeGreaterThan(0);
      expect(v.restart, name).toBe("unless-stopped");
    }
  });

  it("runs NATS with JetStream on a volume, and keeps the seed's database defaults", () => {
    expect(s.nats?.command).toEqual(expect.arrayContaining(["-js", "-sd", "/data"]));
    expect(s.nats?.volumes).toContain("natsdata:/data");
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(["natsdata", "pgdata"]));
    expect(s.postgres?.environment).toMatchObject({
      POSTGRES_USER: "ai_router",
      POSTGRES_DB: "ai_router",
      POSTGRES_PASSWORD: "${POSTGRES_PASSWORD:-ai_router_password}",
    });
    expect(s.lb?.depends_on?.proxy?.condition).toBe("service_healthy");
  });

  it.runIf(spawnSync("docker-compose", ["version"]).status === 0)("is valid for docker-compose config", () => {
    const r = spawnSync("docker-compose", ["-f", "docker-compose.yml", "config", "-q"], {
      cwd: root,
      env: Object.assign({}, process.env, { ROUTER_MASTER_KEY: "x", ROUTER_ADMIN_TOKEN: "0123456789abcdef", NATS_PASSWORD: "p" }),
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
