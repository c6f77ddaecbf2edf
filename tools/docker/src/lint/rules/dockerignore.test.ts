import { describe, expect, it } from "vitest";
import { GOOD_AWS_BASE, lintFixture } from "../../../test/support/lint-fixture.js";

describe("lambda-image lint: dockerignore", () => {
  it("a build context without .dockerignore", () => {
    const { of } = lintFixture({ dockerfile: GOOD_AWS_BASE, dockerignore: null });
    expect(of("dockerignore")).toEqual([
      expect.stringMatching(
        /Dockerfile\.aws-base:0: \[dockerignore\] The build context functions\/greeter has no \.dockerignore/,
      ),
    ]);
  });
});
