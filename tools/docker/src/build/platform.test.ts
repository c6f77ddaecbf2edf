/**
 * Building for a platform that is not the engine's (linux/arm64 on an amd64 machine, or the other way round) with
 * whatever builder the engine has, the classic builder included: the image is recorded for that platform and the
 * engine stores it as that architecture. The base is a one-file image of that platform, so no step needs
 * emulation; building the real bases under emulation is .ci/docker/arm64/setup.sh's business.
 */
import { randomBytes } from "node:crypto";
import { docker, inspectImage } from "@lambda-images/docker-cli";
import { findWorkspaceRoot } from "@lambda-images/function-config";
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

  it(
    "builds and records the function's image for that platform",
    async () => {
      if (!availability.available)
        throw new Error(`CI=true but no Docker engine answers: ${availability.reason}`);
      const { engine } = availability;
      const foreign = engine.platform === "linux/arm64" ? "linux/amd64" : "linux/arm64";
      const suffix = randomBytes(4).toString("hex");
      const base = `lambda-image-test-${suffix}/foreign-base:1`;
      await importTestImage(base, foreign);
      references.push(base);
      expect((await inspectImage(base))?.architecture).toBe(foreign.split("/")[1]);

      const fn = fixtureFunction("greeter", { name: `greeter-platform-${suffix}` });
      const builder = new ImageBuilder({
        root: findWorkspaceRoot(),
        overrides: parseBaseOverrides(`public.ecr.aws/lambda/nodejs:24=${base}`),
        platform: foreign,
      });
      const built = await builder.buildFunctionImage(fn, "aws-base");
      references.push(built.image, built.contentTag);

      expect(built.platform).toBe(foreign);
      expect(built.reused).toBe(false);
      const image = await inspectImage(built.image);
      expect(image?.id).toBe(built.imageId);
      expect(image?.architecture).toBe(foreign.split("/")[1]);
    },
    BUILD_TIMEOUT_MS,
  );
});
