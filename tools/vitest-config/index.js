import { fileURLToPath } from "node:url";
import { defineConfig, mergeConfig } from "vitest/config";

const lambdaEnvSetup = fileURLToPath(new URL("./lambda-env.js", import.meta.url));

/**
 * The workspace's Vitest defaults: tests live next to the code as `*.test.ts`, run in Node, and every test file
 * starts with the environment variables Lambda sets for a function (see ./lambda-env.js).
 *
 * @param {import("vitest/config").ViteUserConfig} [overrides]
 */
export function defineWorkspaceConfig(overrides = {}) {
  return mergeConfig(
    defineConfig({
      test: {
        environment: "node",
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        setupFiles: [lambdaEnvSetup],
        restoreMocks: true,
        testTimeout: 20_000,
        hookTimeout: 60_000,
      },
    }),
    overrides,
  );
}
