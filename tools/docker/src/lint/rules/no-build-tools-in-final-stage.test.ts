import { describe, expect, it } from "vitest";
import { GOOD_AWS_BASE, lintFixture } from "../../../test/support/lint-fixture.js";

describe("lambda-image lint: no-build-tools-in-final-stage", () => {
  it("compilers installed in the final stage or in the stage it is built FROM", () => {
    const inFinal = lintFixture({
      dockerfile: GOOD_AWS_BASE.replace("CMD", "RUN dnf install -y gcc-c++ cmake && dnf clean all\nCMD"),
    });
    expect(inFinal.of("no-build-tools-in-final-stage")).toEqual([
      expect.stringMatching(
        /:4: \[no-build-tools-in-final-stage\] RUN installs gcc-c\+\+, cmake into the final image\. Build tools stay in a builder stage/,
      ),
    ]);
    const inherited = lintFixture({
      dockerfile: `FROM node:24.22.3-bookworm-slim AS build
RUN apt-get update \\
    && apt-get install -y make python3
FROM build
COPY dist/ /var/task/
CMD ["index.handler"]
`,
    });
    expect(inherited.of("no-build-tools-in-final-stage")).toEqual([
      expect.stringMatching(
        /:2: \[no-build-tools-in-final-stage\] RUN installs make, python3 .*built FROM stage "build"/,
      ),
    ]);
  });
});
