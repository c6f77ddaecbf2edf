import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findWorkspaceRoot } from "@lambda-images/function-config";
import { describe, expect, it } from "vitest";
import { discoverBaseImages, loadBaseImage } from "./config.js";

function imageFolder(image: unknown, dockerfile = true): string {
  const dir = join(mkdtempSync(join(tmpdir(), "base-image-")), "node-test");
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "@example/image-node-test", image }));
  if (dockerfile) writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
  return dir;
}

describe("shared base image config", () => {
  it("reads the repository's shared images", () => {
    const images = discoverBaseImages(findWorkspaceRoot());
    expect(images.map((i) => [i.name, i.reference, i.strategy])).toEqual([
      ["node-debian-slim", "lambda-images/node-debian-slim:24", "non-aws"],
      ["node-os-only", "lambda-images/node-os-only:24", "os-only"],
    ]);
    expect(images[0]?.context).toBe(join(findWorkspaceRoot(), "images"));
  });

  it("explains every problem in an image block, a missing block and a missing Dockerfile", () => {
    expect(() =>
      loadBaseImage(imageFolder({ repository: "Bad Name", tag: "latest", strategy: "alpine" })),
    ).toThrow(
      /invalid "image" block\n {2}- image\.repository: must be a lower-case image repository.*\n {2}- image\.tag: must be pinned.*\n {2}- image\.strategy:/,
    );
    expect(() => loadBaseImage(imageFolder(undefined))).toThrow(/has no "image" block\. Add \{ "repository"/);
    expect(() =>
      loadBaseImage(imageFolder({ repository: "x/y", tag: "1", strategy: "os-only" }, false)),
    ).toThrow(/has a package\.json "image" block but no Dockerfile/);
  });
});
