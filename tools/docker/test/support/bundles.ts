/**
 * Test helper: makes sure every function's bundle exists before a test reads it. Turbo builds functions before
 * their own tests, not before this package's; a missing bundle is built here with the project's build tool.
 */
import { existsSync } from "node:fs";
import { buildFunction } from "@lambda-images/build";
import type { FunctionDefinition } from "@lambda-images/function-config";

export async function ensureBundles(functions: readonly FunctionDefinition[]): Promise<void> {
  for (const fn of functions) {
    if (!existsSync(fn.bundle)) await buildFunction(fn);
  }
}
