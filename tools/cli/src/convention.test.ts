import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { EXIT_FAILURE, EXIT_USAGE, isUsageError, reportError, UsageError } from "./convention.js";

function report(error: unknown, options = {}) {
  let text = "";
  const code = reportError(
    "lambda-x",
    error,
    (chunk) => {
      text += chunk;
    },
    options,
  );
  return { code, text };
}

describe("the command-line convention", () => {
  it("a usage error is one line and a hint, exit 2; parseArgs' own errors count as usage errors", () => {
    expect(report(new UsageError('unknown source "sqq"'))).toEqual({
      code: EXIT_USAGE,
      text: 'lambda-x: unknown source "sqq"\nRun lambda-x --help for usage.\n',
    });
    let parseError: unknown;
    try {
      parseArgs({ args: ["--nope"], options: {}, strict: true });
    } catch (error) {
      parseError = error;
    }
    expect(isUsageError(parseError)).toBe(true);
    expect(report(parseError).code).toBe(EXIT_USAGE);
    expect(report(parseError).text).toMatch(/^lambda-x: Unknown option '--nope'/);
  });

  it("any other error is its message, exit 1; the stack only when asked", () => {
    expect(report(new Error("the engine does not answer"))).toEqual({
      code: EXIT_FAILURE,
      text: "lambda-x: the engine does not answer\n",
    });
    expect(report(new Error("boom"), { stack: true }).text).toMatch(/^lambda-x: boom\nError: boom\n {4}at /);
    expect(report("a string").text).toBe("lambda-x: a string\n");
    expect(isUsageError(new Error("x"))).toBe(false);
  });
});
