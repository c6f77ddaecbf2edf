import { relative } from "node:path";
import { type FunctionDefinition, findWorkspaceRoot } from "@lambda-images/function-config";

/**
 * A problem the user can fix (a missing entry, a missing handler export, a compile error). The CLI prints the
 * message alone, without a stack trace, and exits non-zero.
 */
export class BuildError extends Error {
  override readonly name = "BuildError";
}

/** "functions/hello": the function folder relative to the workspace root (its absolute path outside one). */
export function functionLabel(fn: FunctionDefinition): string {
  try {
    return relative(findWorkspaceRoot(fn.dir), fn.dir) || fn.dir;
  } catch {
    return fn.dir;
  }
}
