import { describe, expect, it } from "vitest";
import { GOOD_AWS_BASE, lintFixture } from "../../../test/support/lint-fixture.js";

describe("lambda-image lint: runtime-defaults, the base carries the function's runtime", () => {
  it("flags a base of another Node.js major, naming the base to write", () => {
    const { of } = lintFixture({ dockerfile: GOOD_AWS_BASE.replace("nodejs:24", "nodejs:22") });
    expect(of("runtime-defaults")).toEqual([
      expect.stringContaining(
        "ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:22 is Node.js 22, but greeter's runtime nodejs24.x is " +
          "Node.js 24: write ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:24",
      ),
    ]);
  });

  it("takes the runtime from the config: nodejs22.x wants the 22 bases", () => {
    const on22 = GOOD_AWS_BASE.replace("nodejs:24", "nodejs:22");
    expect(lintFixture({ runtime: "nodejs22.x", dockerfile: on22 }).of("runtime-defaults")).toEqual([]);
    expect(lintFixture({ runtime: "nodejs22.x", dockerfile: GOOD_AWS_BASE }).of("runtime-defaults")).toEqual([
      expect.stringContaining("write ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:22"),
    ]);
  });

  it("checks a NODE_IMAGE stage too, and leaves images it cannot place alone", () => {
    const withNode = `ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:24\nARG NODE_IMAGE=node:22.23.5-bookworm-slim\n${GOOD_AWS_BASE.split("\n").slice(1).join("\n")}`;
    expect(lintFixture({ dockerfile: withNode }).of("runtime-defaults")).toEqual([
      expect.stringContaining("ARG NODE_IMAGE=node:22.23.5-bookworm-slim is Node.js 22"),
    ]);
    const custom = GOOD_AWS_BASE.replace(
      "public.ecr.aws/lambda/nodejs:24",
      "registry.example.com/team/base:7",
    );
    expect(lintFixture({ dockerfile: custom }).of("runtime-defaults")).toEqual([]);
  });
});
