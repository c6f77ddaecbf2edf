import type { z } from "zod";

/** A function's config could not be read or is invalid. The message names the file and every problem in it. */
export class FunctionConfigError extends Error {
  override readonly name = "FunctionConfigError";

  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${file}: invalid function config\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
        `Fix the "lambda" block in ${file} (see tools/function-config/README.md for every field).`,
    );
  }
}

export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const where = ["lambda", ...issue.path.map(String)].join(".");
    return `${where}: ${issue.message}`;
  });
}
