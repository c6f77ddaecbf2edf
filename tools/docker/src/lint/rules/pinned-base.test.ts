import { describe, expect, it } from "vitest";
import { GOOD_AWS_BASE, lintFixture } from "../../../test/support/lint-fixture.js";

describe("lambda-image lint: pinned-base", () => {
  it("an untagged image, a latest tag, an ARG without a default", () => {
    const untagged = lintFixture({ dockerfile: GOOD_AWS_BASE.replace("nodejs:24", "nodejs") });
    expect(untagged.of("pinned-base")).toEqual([
      expect.stringMatching(
        /^functions\/greeter\/Dockerfile\.aws-base:1: \[pinned-base\] FROM \$\{BASE_IMAGE\} \(the default of ARG BASE_IMAGE\): "public\.ecr\.aws\/lambda\/nodejs" has no tag.*Pin a version tag/,
      ),
    ]);
    const latest = lintFixture({
      dockerfile: 'FROM node:latest\nCOPY dist/ /var/task/\nCMD ["index.handler"]\n',
    });
    expect(latest.of("pinned-base")).toEqual([
      expect.stringMatching(
        /Dockerfile\.aws-base:1: \[pinned-base\] FROM node:latest: .*moving tag "latest"/,
      ),
    ]);
    const noDefault = lintFixture({
      dockerfile: GOOD_AWS_BASE.replace("=public.ecr.aws/lambda/nodejs:24", ""),
    });
    expect(noDefault.of("pinned-base")).toEqual([
      expect.stringMatching(
        /:2: \[pinned-base\] FROM \$\{BASE_IMAGE\}: ARG BASE_IMAGE has no default\. Declare it/,
      ),
    ]);
  });
});
