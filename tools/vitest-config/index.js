import { fileURLToPath } from "node:url";
import { defineConfig, mergeConfig } from "vitest/config";

const lambdaEnvSetup = fileURLToPath(new URL("./lambda-env.js", import.meta.url));
const tempDirSetup = fileURLToPath(new URL("./temp-dir.js", import.meta.url));

/**
 * The workspace's Vitest defaults: tests live next to the code as `*.test.ts`, run in Node, and every test file
 * starts with the environment variables Lambda sets for a function (see ./lambda-env.js). Each run gets its own
 * temporary folder, removed when it ends (see ./temp-dir.js).
 *
 * @param {import("vitest/config").ViteUserConfig} [overrides]
 */
export function defineWorkspaceConfig(overrides = {}) {
  return mergeConfig(
    defineConfig({
      test: {
        environment: "node",
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        globalSetup: [tempDirSetup],
        setupFiles: [lambdaEnvSetup],
        restoreMocks: true,
        testTimeout: 60_000,
        hookTimeout: 60_000,
        // expect.poll waits for an outcome the code under test will reach (a process gone, a chunk arrived), never
        // for an intermediate state that only lasts a moment: those are held open with a gate instead (see
        // tools/local-stack/test/support/gate.ts). A loaded 2-core machine must not fail a poll on time.
        expect: { poll: { timeout: 15_000 } },
      },
    }),
    overrides,
  );
}
