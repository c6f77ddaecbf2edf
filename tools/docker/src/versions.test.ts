/**
 * Versions are said once and checked everywhere else: the Node.js release of each runtime lives in
 * tools/function-config's runtime table, the runtime client's version in the pnpm catalog. Their copies in
 * pnpm-workspace.yaml (the catalog's Node.js binaries, `nodeVersion`), the shared bases' Dockerfiles and package.json
 * tags, and the CI stand-ins (which YAML, a Dockerfile or a shell script cannot import) must agree with them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_RUNTIME, findWorkspaceRoot, RUNTIMES, runtimeInfo } from "@lambda-images/function-config";
import { describe, expect, it } from "vitest";
import { discoverBaseImages } from "./images/config.js";

const root = findWorkspaceRoot();
const read = (path: string) => readFileSync(join(root, path), "utf8");
const workspaceYaml = read("pnpm-workspace.yaml");
const catalogRic = /^\s+aws-lambda-ric:\s*(\S+)\s*$/m.exec(workspaceYaml)?.[1];
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

  it.each(RUNTIMES.map((runtime) => [runtime, runtimeInfo(runtime)] as const))(
    "the catalog installs %s's Node.js release for every processor",
    (_runtime, info) => {
      for (const arch of ["x64", "arm64"]) {
        const pin = new RegExp(
          `^\\s+node${info.nodeMajor}-linux-${arch}:\\s*npm:node-linux-${arch}@(\\S+)\\s*$`,
          "m",
        );
        expect(pin.exec(workspaceYaml)?.[1], `node${info.nodeMajor}-linux-${arch} in the catalog`).toBe(
          info.nodeVersion,
        );
      }
    },
  );

  it("pnpm checks engines against the default runtime's Node.js", () => {
    expect(/^nodeVersion:\s*(\S+)\s*$/m.exec(workspaceYaml)?.[1]).toBe(
      runtimeInfo(DEFAULT_RUNTIME).nodeVersion,
    );
  });

  it.each(discoverBaseImages(root).map((image) => [image.name, image] as const))(
    "images/%s takes Node.js from the default runtime's official image and is tagged with its major",
    (_name, image) => {
      const runtime = runtimeInfo(DEFAULT_RUNTIME);
      const text = readFileSync(image.dockerfile, "utf8");
      // node-debian-slim is built FROM the official image; node-os-only copies Node.js out of it.
      const nodeImage = /^ARG (?:NODE_IMAGE|BASE_IMAGE)=(node:\S+)$/m.exec(text)?.[1];
      expect(nodeImage).toBe(runtime.nodeImage);
      expect(image.tag).toBe(String(runtime.nodeMajor));
      expect(image.reference).toBe(runtime.baseImages[image.strategy]);
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
