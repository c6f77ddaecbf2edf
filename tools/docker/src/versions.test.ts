/**
 * Versions are said once and checked everywhere else: the Node.js release of each runtime lives in
 * tools/function-config's runtime table, the runtime client's version in the pnpm catalog. The Dockerfiles' and
 * the CI stand-ins' copies of them (which a Dockerfile or a shell script cannot import) must agree.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_RUNTIME, findWorkspaceRoot, runtimeInfo } from "@lambda-images/function-config";
import { describe, expect, it } from "vitest";
import { discoverBaseImages } from "./images/config.js";

const root = findWorkspaceRoot();
const read = (path: string) => readFileSync(join(root, path), "utf8");
const catalogRic = /^\s+aws-lambda-ric:\s*(\S+)\s*$/m.exec(read("pnpm-workspace.yaml"))?.[1];
const standIns = read(".ci/docker/stand-ins/build.sh");
const shellValue = (name: string) => new RegExp(`^${name}="([^"]+)"$`, "m").exec(standIns)?.[1];

describe("one version of each thing", () => {
  it("the catalog pins aws-lambda-ric", () => {
    expect(catalogRic).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each(discoverBaseImages(root).map((image) => [image.name, image] as const))(
    "images/%s builds the catalog's aws-lambda-ric",
    (_name, image) => {
      // Declared in the stage that compiles it, so read from the text rather than the global ARGs.
      expect(/^ARG RIC_VERSION=(\S+)$/m.exec(readFileSync(image.dockerfile, "utf8"))?.[1]).toBe(catalogRic);
    },
  );

  it("the CI stand-ins use the default runtime's Node.js and the catalog's aws-lambda-ric", () => {
    const runtime = runtimeInfo(DEFAULT_RUNTIME);
    expect(shellValue("NODE_VERSION")).toBe(runtime.nodeVersion);
    expect(shellValue("RIC_VERSION")).toBe(catalogRic);
    // Every public base the default runtime's Dockerfiles name has a stand-in.
    const overrides = read(".ci/docker/stand-ins/overrides.env");
    for (const base of [
      runtime.baseImages["aws-base"],
      runtime.nodeImage,
      "public.ecr.aws/lambda/provided:al2023",
    ]) {
      expect(overrides).toContain(`${base}=`);
    }
  });
});
