import { describe, expect, it } from "vitest";
import {
  invalidFunctionNameMessage,
  invalidQualifierMessage,
  parseFunctionReference,
  parseQualifier,
} from "./function-name.js";

describe("parseFunctionReference", () => {
  it.each([
    ["hello", { name: "hello" }],
    ["hello:$LATEST", { name: "hello", qualifier: "$LATEST" }],
    [
      "arn:aws:lambda:eu-west-1:123456789012:function:hello",
      { name: "hello", region: "eu-west-1", accountId: "123456789012" },
    ],
    [
      "arn:aws:lambda:eu-west-1:123456789012:function:hello:prod",
      { name: "hello", qualifier: "prod", region: "eu-west-1", accountId: "123456789012" },
    ],
    [
      "arn:aws-cn:lambda:cn-north-1:123456789012:function:hello",
      { name: "hello", region: "cn-north-1", accountId: "123456789012" },
    ],
    [
      "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:hello",
      { name: "hello", region: "us-gov-west-1", accountId: "123456789012" },
    ],
    ["123456789012:function:hello", { name: "hello", accountId: "123456789012" }],
    ["123456789012:function:hello:7", { name: "hello", qualifier: "7", accountId: "123456789012" }],
    ["a".repeat(64), { name: "a".repeat(64) }],
  ])("reads %s", (reference, expected) => {
    expect(parseFunctionReference(reference)).toEqual(expected);
  });

  it.each([
    ["", "empty"],
    ["a:b:c", "too many parts"],
    ["../hello", "a path"],
    ["hello world", "a space"],
    ["%ZZ", "undecoded percent-encoding"],
    ["hello:", "an empty qualifier"],
    ["hello:a/b", "a qualifier with a slash"],
    ["a".repeat(65), "a name over 64 characters"],
    ["a".repeat(1000), "1,000 characters"],
    [`arn:aws:lambda:eu-west-1:123456789012:function:${"a".repeat(100)}`, "an ARN over 140 characters"],
    ["arn:aws:lambda:eu-west-1:12345:function:hello", "a short account ID"],
    ["arn:aws:s3:eu-west-1:123456789012:function:hello", "another service"],
  ])("refuses %s (%s)", (reference) => {
    expect(parseFunctionReference(reference)).toBeUndefined();
  });
});

describe("invalidFunctionNameMessage", () => {
  it("quotes the value and Lambda's pattern, as Lambda's ValidationException does", () => {
    expect(invalidFunctionNameMessage("../hello")).toMatch(
      /^1 validation error detected: Value '\.\.\/hello' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: \(arn:/,
    );
    expect(invalidFunctionNameMessage("../hello")).toContain("1-64 letters, digits, hyphens or underscores");
  });

  it("names the length limit for a value over 140 characters", () => {
    expect(invalidFunctionNameMessage("a".repeat(141))).toContain(
      "Member must have length less than or equal to 140",
    );
  });
});

describe("parseQualifier", () => {
  it("reads a version or alias, and treats an empty one as none", () => {
    expect(parseQualifier(null)).toEqual({ ok: true, qualifier: undefined });
    expect(parseQualifier("")).toEqual({ ok: true, qualifier: undefined });
    expect(parseQualifier("$LATEST")).toEqual({ ok: true, qualifier: "$LATEST" });
    expect(parseQualifier("prod_2")).toEqual({ ok: true, qualifier: "prod_2" });
  });

  it("refuses characters outside Lambda's pattern and values over 128 characters", () => {
    expect(parseQualifier("a/b")).toEqual({ ok: false });
    expect(parseQualifier("q".repeat(129))).toEqual({ ok: false });
    expect(invalidQualifierMessage("a/b")).toBe(
      "1 validation error detected: Value 'a/b' at 'qualifier' failed to satisfy constraint: " +
        "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
    );
    expect(invalidQualifierMessage("q".repeat(129))).toContain(
      "Member must have length less than or equal to 128",
    );
  });
});
