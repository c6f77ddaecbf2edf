/**
 * The lint of every Dockerfile the project ships (each example function's Dockerfile.<strategy> and the shared
 * images'): this is how `pnpm test` runs `lambda-image lint` on the repository. It needs no Docker engine; it lives
 * here because it reads every function's folder and bundle, as this package's image suite does.
 */
import { existsSync } from "node:fs";
import { buildFunction } from "@lambda-images/build";
import { formatFinding, lintWorkspace } from "@lambda-images/docker";
import { discoverFunctions, findWorkspaceRoot } from "@lambda-images/function-config";
import { beforeAll, describe, expect, it } from "vitest";

describe("lambda-image lint on this repository", () => {
  const root = findWorkspaceRoot();

  beforeAll(async () => {
    // The lint checks each bundle exports its handler. Turbo builds every function first (they are this package's
    // devDependencies); on its own, build what is missing.
    for (const fn of discoverFunctions(root)) if (!existsSync(fn.bundle)) await buildFunction(fn);
    // A hang guard for the builds on a loaded machine, not a speed limit.
  }, 300_000);

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
