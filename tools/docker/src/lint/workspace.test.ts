import { discoverFunctions, findWorkspaceRoot } from "@lambda-images/function-config";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBundles } from "../../test/support/bundles.js";
import { formatFinding } from "./findings.js";
import { lintWorkspace } from "./lint.js";

// The lint of every Dockerfile the project ships: this is how `pnpm test` runs `lambda-image lint`.
describe("lambda-image lint on this repository", () => {
  const root = findWorkspaceRoot();

  beforeAll(async () => {
    await ensureBundles(discoverFunctions(root));
  });

  it("finds every function's Dockerfile.<strategy> and every shared image", () => {
    const { targets } = lintWorkspace(root);
    const names = targets.map((t) => t.dockerfile.slice(root.length + 1));
    expect(names).toEqual(
      expect.arrayContaining([
        "images/node-debian-slim/Dockerfile",
        "images/node-os-only/Dockerfile",
        "functions/hello/Dockerfile.aws-base",
        "functions/hello/Dockerfile.os-only",
        "functions/hello/Dockerfile.non-aws",
      ]),
    );
  });

  it("has no findings", () => {
    const { findings } = lintWorkspace(root);
    expect(findings.map((f) => formatFinding(f, root))).toEqual([]);
  });
});
