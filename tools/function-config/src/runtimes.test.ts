import { describe, expect, it } from "vitest";
import { compileCacheDir, managedRuntimeNodeFlags, RUNTIMES, runtimeInfo } from "./runtimes.js";

describe("runtimeInfo", () => {
  it("decides the Node.js major, esbuild target and each strategy's base for nodejs24.x", () => {
    expect(runtimeInfo("nodejs24.x")).toMatchObject({
      nodeMajor: 24,
      esbuildTarget: "node24",
      nodeImage: expect.stringMatching(/^node:24\.\d+\.\d+-bookworm-slim$/),
      baseImages: {
        "aws-base": "public.ecr.aws/lambda/nodejs:24",
        "os-only": "lambda-images/node-os-only:24",
        "non-aws": "lambda-images/node-debian-slim:24",
      },
    });
  });

  it("keeps nodejs22.x real, with Lambda's deprecation date", () => {
    expect(runtimeInfo("nodejs22.x")).toMatchObject({
      nodeMajor: 22,
      esbuildTarget: "node22",
      deprecation: "2027-04-30",
      baseImages: { "aws-base": "public.ecr.aws/lambda/nodejs:22" },
    });
  });

  it("pins each runtime to a release of its own major", () => {
    for (const runtime of RUNTIMES) {
      const { nodeMajor, nodeVersion } = runtimeInfo(runtime);
      expect(nodeVersion).toMatch(new RegExp(`^${nodeMajor}\\.\\d+\\.\\d+$`));
    }
  });
});

describe("managedRuntimeNodeFlags", () => {
  it("sizes V8's heap from the memory size as AWS's bootstrap does", () => {
    expect(managedRuntimeNodeFlags(256)).toEqual([
      "--expose-gc",
      "--max-http-header-size=81920",
      "--max-semi-space-size=12",
      "--max-old-space-size=231",
    ]);
    expect(managedRuntimeNodeFlags(1024)).toContain("--max-old-space-size=922");
    expect(managedRuntimeNodeFlags(1024)).toContain("--max-semi-space-size=51");
  });
});

describe("compileCacheDir", () => {
  it("gives each function folder its own cache folder, outside the function folder (and so outside dist/)", () => {
    const hello = compileCacheDir("/work/functions/hello");
    expect(compileCacheDir("/work/functions/hello")).toBe(hello);
    expect(compileCacheDir("/work/functions/orders-worker")).not.toBe(hello);
    expect(hello.startsWith("/work/functions/hello")).toBe(false);
  });
});
