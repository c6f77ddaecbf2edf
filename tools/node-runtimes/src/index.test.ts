import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { RUNTIMES, runtimeInfo } from "@lambda-images/function-config";
import { describe, expect, it } from "vitest";
import { nodeBinary, runtimePackage } from "./index.js";

const require = createRequire(import.meta.url);

describe.each(RUNTIMES)("%s", (runtime) => {
  const { nodeVersion } = runtimeInfo(runtime);

  it(`is installed at the release the runtime table pins (${nodeVersion})`, () => {
    const pkg = JSON.parse(
      readFileSync(
        join(dirname(require.resolve(`${runtimePackage(runtime)}/package.json`)), "package.json"),
        "utf8",
      ),
    ) as { name: string; version: string };
    expect(pkg.name).toMatch(/^node-linux-(x64|arm64)$/);
    expect(pkg.version).toBe(nodeVersion);
  });

  it("runs: its node prints that version", () => {
    expect(execFileSync(nodeBinary(runtime), ["--version"], { encoding: "utf8" }).trim()).toBe(
      `v${nodeVersion}`,
    );
  });
});
