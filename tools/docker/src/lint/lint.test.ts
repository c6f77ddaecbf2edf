import type { Strategy } from "@lambda-images/function-config";
import { describe, expect, it } from "vitest";
import { GOOD_AWS_BASE, lintFixture } from "../../test/support/lint-fixture.js";

describe("lambda-image lint: Dockerfiles that pass", () => {
  it.each<[Strategy, string]>([
    ["aws-base", GOOD_AWS_BASE],
    ["os-only", GOOD_AWS_BASE.replace("public.ecr.aws/lambda/nodejs:24", "lambda-images/node-os-only:24")],
    [
      "non-aws",
      GOOD_AWS_BASE.replace("public.ecr.aws/lambda/nodejs:24", "lambda-images/node-debian-slim:24"),
    ],
  ])("a minimal %s Dockerfile on a pinned base", (strategy, dockerfile) => {
    expect(lintFixture({ strategy, dockerfile }).messages).toEqual([]);
  });

  it("a multi-stage non-aws Dockerfile that compiles in a builder and runs as node", () => {
    const dockerfile = `ARG BASE_IMAGE=node:24.22.3-bookworm-slim
FROM \${BASE_IMAGE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends cmake g++ make python3 \\
    && rm -rf /var/lib/apt/lists/*
FROM \${BASE_IMAGE}
COPY --from=build /opt/out /opt/out
COPY dist/ /var/task/
USER node
CMD ["index.handler"]
`;
    expect(lintFixture({ strategy: "non-aws", dockerfile }).messages).toEqual([]);
  });

  it("a base pinned by digest, and a stage built FROM an earlier stage", () => {
    const dockerfile = `FROM public.ecr.aws/lambda/nodejs@sha256:${"a".repeat(64)} AS base
FROM base
COPY dist/index.mjs /var/task/
CMD ["index.handler"]
`;
    expect(lintFixture({ dockerfile }).messages).toEqual([]);
  });
});

describe("lambda-image lint: dockerfilelint", () => {
  it("its own findings come through with file and line", () => {
    const { messages } = lintFixture({
      dockerfile: GOOD_AWS_BASE.replace("CMD", "RUN apt-get install curl\nCMD"),
    });
    expect(messages).toContainEqual(
      expect.stringMatching(/Dockerfile\.aws-base:4: \[dockerfilelint\/apt-get_missing_param\]/),
    );
  });
});
