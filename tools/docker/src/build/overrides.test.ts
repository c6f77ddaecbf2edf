import { describe, expect, it } from "vitest";
import { parseBaseOverrides } from "./overrides.js";

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
