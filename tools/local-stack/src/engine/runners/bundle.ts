import { existsSync } from "node:fs";
import { relative } from "node:path";
import type { FunctionDefinition } from "@lambda-images/function-config";

/** Fails with the command to run when the function has not been built yet. */
export function requireBundle(definition: FunctionDefinition): void {
  if (existsSync(definition.bundle)) return;
  const shown = relative(process.cwd(), definition.bundle) || definition.bundle;
  throw new Error(
    `Function "${definition.name}" has no bundle at ${shown}: build it first with ` +
      `\`pnpm --filter ${definition.packageName} build\` (or \`pnpm build\` for every function).`,
  );
}
