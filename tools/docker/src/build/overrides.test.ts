import { describe, expect, it } from "vitest";
import { parseDockerfileText } from "../dockerfile/parse.js";
import { overrideBuildArgs, parseBaseOverrides } from "./overrides.js";

describe("IMAGE_BASE_OVERRIDES", () => {
  it("maps public names to replacements, separated by commas, spaces or new lines", () => {
    expect(
      parseBaseOverrides(
        "public.ecr.aws/lambda/nodejs:22=localhost/stand-in/lambda-nodejs:22,\n node:22.23.5-bookworm-slim=mirror.example.com:5000/node@sha256:abc",
      ),
    ).toEqual(
      new Map([
        ["public.ecr.aws/lambda/nodejs:22", "localhost/stand-in/lambda-nodejs:22"],
        ["node:22.23.5-bookworm-slim", "mirror.example.com:5000/node@sha256:abc"],
      ]),
    );
    expect(parseBaseOverrides(undefined)).toEqual(new Map());
    expect(parseBaseOverrides("  ")).toEqual(new Map());
  });

  it("explains an entry that is not PUBLIC=REPLACEMENT, and a name overridden twice", () => {
    expect(() => parseBaseOverrides("node:22")).toThrow(
      /IMAGE_BASE_OVERRIDES: "node:22" is not PUBLIC=REPLACEMENT\. Write entries such as/,
    );
    expect(() => parseBaseOverrides("a:1=b:1,a:1=c:1", "--base")).toThrow(
      "--base: a:1 is overridden twice (b:1 and c:1); keep one.",
    );
  });
});

describe("overrideBuildArgs", () => {
  it("sets each ARG a FROM uses whose default is an overridden public name, and no other", () => {
    const dockerfile = parseDockerfileText(
      `ARG BASE_IMAGE=public.ecr.aws/lambda/provided:al2023
ARG NODE_IMAGE=node:24.22.3-bookworm-slim
ARG TOOL_IMAGE=busybox:1.37
ARG NOT_A_BASE=node:24.22.3-bookworm-slim
FROM \${NODE_IMAGE} AS node
FROM \${TOOL_IMAGE} AS tool
FROM \${BASE_IMAGE}
COPY --from=node /usr/local/bin/node /usr/local/bin/node
`,
      "Dockerfile",
    );
    const overrides = parseBaseOverrides(
      "public.ecr.aws/lambda/provided:al2023=localhost/stand-in/lambda-provided:al2023," +
        "node:24.22.3-bookworm-slim=localhost/stand-in/node:24.22.3-bookworm-slim",
    );
    expect(overrideBuildArgs(dockerfile, overrides)).toEqual({
      BASE_IMAGE: "localhost/stand-in/lambda-provided:al2023",
      NODE_IMAGE: "localhost/stand-in/node:24.22.3-bookworm-slim",
    });
    expect(overrideBuildArgs(dockerfile, new Map())).toEqual({});
  });
});
