import { describe, expect, it } from "vitest";
import { GOOD_AWS_BASE, lintFixture } from "../../../test/support/lint-fixture.js";

describe("lambda-image lint: copy-source-exists", () => {
  it("a missing bundle folder, a wrong path, a source left out by .dockerignore", () => {
    const missingDist = lintFixture({ dockerfile: GOOD_AWS_BASE, bundle: null });
    expect(missingDist.of("copy-source-exists")).toContain(
      "functions/greeter/Dockerfile.aws-base:3: [copy-source-exists] COPY dist/: dist does not exist in the build " +
        "context functions/greeter. Build the function first (pnpm build, which runs lambda-build) so dist exists.",
    );
    const wrongPath = lintFixture({ dockerfile: GOOD_AWS_BASE.replace("COPY dist/", "COPY build/") });
    expect(wrongPath.of("copy-source-exists")).toEqual([
      expect.stringMatching(
        /:3: \[copy-source-exists\] COPY build\/: build does not exist .*relative to the build context/,
      ),
    ]);
    const ignored = lintFixture({
      dockerfile: GOOD_AWS_BASE.replace("COPY dist/", "COPY config.json"),
      extraFiles: { "config.json": "{}" },
    });
    expect(ignored.of("copy-source-exists")).toEqual([
      expect.stringMatching(
        /:3: \[copy-source-exists\] COPY config\.json: config\.json is left out of the build context by functions\/greeter\/\.dockerignore.*"!config\.json"/,
      ),
    ]);
  });
});
