/**
 * Building for a platform that is not the engine's (linux/arm64 on an amd64 machine, or the other way round) with
 * whatever builder the engine has, the classic builder included: the image is recorded for that platform and the
 * engine stores it as that architecture; a step that cannot run says emulation is missing. The base is a one-file
 * image of that platform, so no step needs emulation; building the real bases under emulation is
 * .ci/docker/arm64/setup.sh's business.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { docker, inspectImage } from "@lambda-images/docker-cli";
import { type FunctionDefinition, findWorkspaceRoot } from "@lambda-images/function-config";
import { afterAll, describe, expect, it } from "vitest";
import { fixtureFunction, removeFixtureFunctions } from "../../test/support/fixture-function.js";
import { dockerAvailability, IN_CI, importTestImage } from "../../testing/engine.js";
import { ImageBuilder } from "./builder.js";
import { parseBaseOverrides } from "./overrides.js";

// A safety net for a stuck engine, as in the other image suites; not a time the build is expected to take.
const BUILD_TIMEOUT_MS = 10 * 60_000;
const availability = await dockerAvailability();

describe.runIf(availability.available || IN_CI)("building for another platform than the engine's", () => {
  const references: string[] = [];

  afterAll(async () => {
    removeFixtureFunctions();
    for (const reference of references) await docker(["image", "rm", "--force", reference]);
  });

  /** greeter under a name of its own, and a builder for the other platform whose AWS base is a one-file image. */
  async function foreignBuild(): Promise<{ foreign: string; fn: FunctionDefinition; builder: ImageBuilder }> {
    if (!availability.available)
      throw new Error(`CI=true but no Docker engine answers: ${availability.reason}`);
    const foreign = availability.engine.platform === "linux/arm64" ? "linux/amd64" : "linux/arm64";
    const suffix = randomBytes(4).toString("hex");
    const base = `lambda-image-test-${suffix}/foreign-base:1`;
    await importTestImage(base, foreign);
    references.push(base, `greeter-platform-${suffix}:aws-base`);
    expect((await inspectImage(base))?.architecture).toBe(foreign.split("/")[1]);
    const fn = fixtureFunction("greeter", { name: `greeter-platform-${suffix}` });
    const builder = new ImageBuilder({
      root: findWorkspaceRoot(),
      overrides: parseBaseOverrides(`public.ecr.aws/lambda/nodejs:24=${base}`),
      platform: foreign,
    });
    return { foreign, fn, builder };
  }

  it(
    "builds and records the function's image for that platform",
    async () => {
      const { foreign, fn, builder } = await foreignBuild();
      const built = await builder.buildFunctionImage(fn, "aws-base");
      references.push(built.contentTag);

      expect(built.platform).toBe(foreign);
      expect(built.reused).toBe(false);
      const image = await inspectImage(built.image);
      expect(image?.id).toBe(built.imageId);
      expect(image?.architecture).toBe(foreign.split("/")[1]);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    "says emulation is missing when a step cannot run the platform's program",
    async () => {
      const { foreign, fn, builder } = await foreignBuild();
      // An ELF header for no machine at all: the kernel refuses it as it refuses a foreign program without
      // emulation, and the step fails with "exec format error" on any host.
      const program = Buffer.alloc(64);
      program.write("\x7fELF", 0, "latin1");
      program.set([2, 1, 1], 4);
      program.writeUInt16LE(2, 16);
      program.writeUInt16LE(0x9999, 18);
      writeFileSync(join(fn.dir, "dist", "program"), program, { mode: 0o755 });
      writeFileSync(
        join(fn.dir, "Dockerfile.aws-base"),
        [
          "ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:24",
          "FROM $BASE_IMAGE",
          "COPY dist/ /var/task/",
          'RUN ["/var/task/program"]',
          "",
        ].join("\n"),
      );

      const error = await builder.buildFunctionImage(fn, "aws-base").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/exec format error/);
      expect((error as Error).message).toContain(
        `A step ran a ${foreign} program that this engine's host cannot run.`,
      );
    },
    BUILD_TIMEOUT_MS,
  );
});
