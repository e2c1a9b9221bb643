import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import the libraries' TypeScript sources directly; spawned processes use the built dist.
const libs = readdirSync(new URL("./libs", import.meta.url));
const alias = Object.fromEntries(libs.map((l) => [`@ai-router/${l}`, fileURLToPath(new URL(`./libs/${l}/src/index.ts`, import.meta.url))]));

export default defineConfig({
  resolve: { alias },
  test: {
    include: [
      "libs/*/src/**/*.test.ts",
      "services/*/src/**/*.test.ts",
      "services/*/test/**/*.test.ts",
      "test/**/*.test.ts",
      // The console's component tests run in happy-dom (a `@vitest-environment` comment per file); the rest in node.
      "apps/*/src/**/*.test.{ts,tsx}",
      "apps/*/test/**/*.test.ts",
    ],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Cross-service tests share the machine's Postgres/NATS; files run one after another.
    fileParallelism: false,
  },
});
