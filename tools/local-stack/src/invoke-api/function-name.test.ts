import { describe, expect, it } from "vitest";
import { parseFunctionReference } from "./function-name.js";

describe("parseFunctionReference", () => {
  it.each([
    ["hello", { name: "hello" }],
    ["hello:$LATEST", { name: "hello", qualifier: "$LATEST" }],
    ["arn:aws:lambda:eu-west-1:123456789012:function:hello", { name: "hello" }],
    ["arn:aws:lambda:eu-west-1:123456789012:function:hello:prod", { name: "hello", qualifier: "prod" }],
    ["arn:aws-cn:lambda:cn-north-1:123456789012:function:hello", { name: "hello" }],
    ["123456789012:function:hello", { name: "hello" }],
    ["123456789012:function:hello:7", { name: "hello", qualifier: "7" }],
  ])("reads %s", (reference, expected) => {
    expect(parseFunctionReference(reference)).toEqual(expected);
  });

  it("rejects a reference with too many parts", () => {
    expect(parseFunctionReference("a:b:c")).toBeUndefined();
    expect(parseFunctionReference("")).toBeUndefined();
  });
});
