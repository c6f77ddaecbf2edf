import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DEFAULT_RUNTIME, findWorkspaceRoot, RUNTIMES, runtimeInfo } from "@lambda-images/function-config";
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

it("pnpm checks dependencies' engines against the default runtime's Node.js, which the tools run on", () => {
  // Else, on an older host, pnpm leaves out optional dependencies that need a newer Node.js (aws-lambda-ric 4).
  const workspace = readFileSync(join(findWorkspaceRoot(), "pnpm-workspace.yaml"), "utf8");
  expect(/^nodeVersion:\s*(\S+)\s*$/m.exec(workspace)?.[1]).toBe(runtimeInfo(DEFAULT_RUNTIME).nodeVersion);
});
