/**
 * The functions under functions/ as `lambda-local dev` serves them: every folder whose package.json has a "lambda"
 * block, loaded through the config loader. Unlike discoverFunctions, an invalid config does not fail the whole
 * scan: that function is left out and reported with its error, so the others keep serving.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { FunctionConfigError, type FunctionDefinition, loadFunction } from "@lambda-images/function-config";

export interface FunctionScan {
  /** The servable functions, by name. */
  readonly functions: readonly FunctionDefinition[];
  /** Folder name under functions/ -> one-line config error, for each function that is not served. */
  readonly invalid: ReadonlyMap<string, string>;
}

/**
 * Does this package.json declare a function? Invalid JSON counts (its error is shown). "empty" is a file being
 * written (truncated, its content not in yet): the write that follows is another change.
 */
function declaresFunction(file: string): boolean | "empty" {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return true;
  }
  if (text.trim() === "") return "empty";
  try {
    return (JSON.parse(text) as { lambda?: unknown }).lambda !== undefined;
  } catch {
    return true;
  }
}

/** "lambda.timeout: too big; lambda.routes: ..." from a config error's problems. */
function oneLine(error: unknown): string {
  if (error instanceof FunctionConfigError) return error.problems.join("; ");
  return (error as Error).message.split("\n")[0] ?? String(error);
}

/**
 * Scans functions/. Two functions with one name, or one route claimed twice: the function already served
 * (`served`, by name) keeps it and the other is reported; between two new ones, the first folder by name wins.
 * A served function whose package.json is empty (being written) keeps its served definition.
 */
export function scanFunctions(
  workspaceRoot: string,
  served: ReadonlyMap<string, FunctionDefinition> = new Map(),
): FunctionScan {
  const servedByFolder = new Map([...served.values()].map((fn) => [basename(fn.dir), fn]));
  const functionsDir = join(workspaceRoot, "functions");
  const invalid = new Map<string, string>();
  const loaded: { folder: string; fn: FunctionDefinition }[] = [];
  const folders = existsSync(functionsDir)
    ? readdirSync(functionsDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : [];
  for (const folder of folders) {
    const file = join(functionsDir, folder, "package.json");
    const declares = existsSync(file) && declaresFunction(file);
    if (declares === "empty") {
      const before = servedByFolder.get(folder);
      if (before !== undefined) loaded.push({ folder, fn: before });
      continue;
    }
    if (!declares) continue;
    try {
      loaded.push({ folder, fn: loadFunction(join(functionsDir, folder)) });
    } catch (error) {
      invalid.set(folder, oneLine(error));
    }
  }
  // Functions already served claim their names and routes first.
  loaded.sort((a, b) => Number(served.has(b.fn.name)) - Number(served.has(a.fn.name)));
  const functions: FunctionDefinition[] = [];
  const names = new Map<string, string>();
  const routes = new Map<string, string>();
  for (const { folder, fn } of loaded) {
    const twin = names.get(fn.name);
    const clash = fn.routes.find((route) => routes.has(route.routeKey));
    if (twin !== undefined) {
      invalid.set(folder, `the name "${fn.name}" is taken by functions/${twin}: rename one`);
    } else if (clash !== undefined) {
      invalid.set(
        folder,
        `route "${clash.routeKey}" is claimed by ${routes.get(clash.routeKey)} too: remove it from one`,
      );
    } else {
      names.set(fn.name, folder);
      for (const route of fn.routes) routes.set(route.routeKey, fn.name);
      functions.push(fn);
    }
  }
  functions.sort((a, b) => a.name.localeCompare(b.name));
  return { functions, invalid };
}
