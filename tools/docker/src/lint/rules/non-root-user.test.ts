import { describe, expect, it } from "vitest";
import { GOOD_AWS_BASE, lintFixture } from "../../../test/support/lint-fixture.js";

describe("lambda-image lint: non-root-user", () => {
  it("a non-aws image on a base that runs as root, and an explicit USER root", () => {
    const onNode = lintFixture({
      strategy: "non-aws",
      dockerfile: GOOD_AWS_BASE.replace("public.ecr.aws/lambda/nodejs:24", "node:24.22.3-bookworm-slim"),
    });
    expect(onNode.of("non-root-user")).toEqual([
      expect.stringMatching(
        /Dockerfile\.non-aws:2: \[non-root-user\] The final stage runs as root .*add USER node/,
      ),
    ]);
    const asRoot = lintFixture({
      strategy: "non-aws",
      dockerfile: GOOD_AWS_BASE.replace(
        "public.ecr.aws/lambda/nodejs:24",
        "lambda-images/node-debian-slim:24",
      ).replace("CMD", "USER root\nCMD"),
    });
    expect(asRoot.of("non-root-user")).toEqual([
      expect.stringMatching(/:4: \[non-root-user\] The final stage runs as "root"/),
    ]);
  });
});
